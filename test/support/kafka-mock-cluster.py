#!/usr/bin/env python3
"""Test-only Kafka protocol broker: librdkafka's mock cluster (Debian package librdkafka1), which
speaks the real wire protocol (consumer groups, commits, fault injection) without a Kafka install.

usage: kafka-mock-cluster.py [--brokers N] [--topic NAME:PARTITIONS ...]
env RDKAFKA_LIB=/path/librdkafka.so.1 selects another build (default: the system's librdkafka.so.1)
Prints the bootstrap servers as its first line, then reads commands on stdin, one a line:
  topic NAME PARTITIONS          create a topic (kafkajs's createTopics fails on the mock's controller id)
  err APIKEY ERRCODE [COUNT]     the next COUNT requests of APIKEY fail with ERRCODE (-195: disconnect)
  down BROKERID | up BROKERID    take a broker down or up
  rtt BROKERID MS                add latency
and answers each with one line "ok COMMAND RC". Exits when stdin closes (its parent is gone)."""
import argparse
import ctypes
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--brokers", type=int, default=1)
parser.add_argument("--topic", action="append", default=[])
args = parser.parse_args()

try:
    lib = ctypes.CDLL(os.environ.get("RDKAFKA_LIB", "librdkafka.so.1"))
except OSError as error:
    sys.exit(f"cannot load librdkafka ({error}); install it: apt-get install librdkafka1")
V, I, S, Z = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t
lib.rd_kafka_conf_new.restype = V
lib.rd_kafka_conf_set.argtypes = [V, S, S, S, Z]
lib.rd_kafka_new.restype = V
lib.rd_kafka_new.argtypes = [I, V, S, Z]
lib.rd_kafka_mock_cluster_new.restype = V
lib.rd_kafka_mock_cluster_new.argtypes = [V, I]
lib.rd_kafka_mock_cluster_bootstraps.restype = S
lib.rd_kafka_mock_cluster_bootstraps.argtypes = [V]
lib.rd_kafka_mock_topic_create.argtypes = [V, S, I, I]
lib.rd_kafka_mock_push_request_errors_array.argtypes = [V, ctypes.c_int16, Z, ctypes.POINTER(I)]
lib.rd_kafka_mock_broker_set_down.argtypes = [V, ctypes.c_int32]
lib.rd_kafka_mock_broker_set_up.argtypes = [V, ctypes.c_int32]
lib.rd_kafka_mock_broker_set_rtt.argtypes = [V, ctypes.c_int32, I]

error = ctypes.create_string_buffer(512)
conf = lib.rd_kafka_conf_new()
lib.rd_kafka_conf_set(conf, b"log_level", b"3", error, 512)
handle = lib.rd_kafka_new(0, conf, error, 512)
if not handle:
    sys.exit("rd_kafka_new: " + error.value.decode())
cluster = lib.rd_kafka_mock_cluster_new(handle, args.brokers)
if not cluster:
    sys.exit("rd_kafka_mock_cluster_new failed")
for topic in args.topic:
    name, partitions = topic.split(":")
    lib.rd_kafka_mock_topic_create(cluster, name.encode(), int(partitions), 1)
print(lib.rd_kafka_mock_cluster_bootstraps(cluster).decode(), flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    command = words[0]
    if command == "topic":
        rc = lib.rd_kafka_mock_topic_create(cluster, words[1].encode(), int(words[2]), 1)
    elif command == "err":
        count = int(words[3]) if len(words) > 3 else 1
        codes = (I * count)(*([int(words[2])] * count))
        lib.rd_kafka_mock_push_request_errors_array(cluster, int(words[1]), count, codes)
        rc = 0
    elif command == "down":
        rc = lib.rd_kafka_mock_broker_set_down(cluster, int(words[1]))
    elif command == "up":
        rc = lib.rd_kafka_mock_broker_set_up(cluster, int(words[1]))
    elif command == "rtt":
        rc = lib.rd_kafka_mock_broker_set_rtt(cluster, int(words[1]), int(words[2]))
    else:
        rc = "unknown"
    print(f"ok {command} {rc}", flush=True)
os._exit(0)

#!/usr/bin/env bash
# tests/kafka/broker.sh - a real Apache Kafka broker for make
# kafka-broker-test: one node in KRaft mode (broker and controller in one
# JVM), on loopback ports, its state in DIR.
#
#     broker.sh DIR start     configure and format DIR (first time), start
#                             the broker, wait until it serves; prints the
#                             bootstrap servers: PLAINTEXT SASL_PLAINTEXT
#     broker.sh DIR stop      stop it (SIGTERM, SIGKILL after 20 s)
#     broker.sh DIR restart   stop, then start again on the same ports and data
#     broker.sh check         say whether java and the jars are here (status 0/1)
#
# The jars come from Maven Central (tests/kafka/broker/pom.xml, copied into
# build/kafka-broker/lib by `make deps`; KAFKA_LIB=DIR overrides). The
# listeners: PLAINTEXT for the tests, SASL_PLAINTEXT with mechanism PLAIN
# and the one user flowc / flowc-secret, CONTROLLER for KRaft itself.
# Topics are not created automatically (a missing topic is an error).
# Every JVM runs under `timeout` (KAFKA_BROKER_LIMIT seconds, 600 by
# default), so a broker never outlives a test run that forgot it; the
# broker's log is DIR/server.log.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
KAFKA_LIB=${KAFKA_LIB:-$root/build/kafka-broker/lib}
LIMIT=${KAFKA_BROKER_LIMIT:-600}
# fast start-up over peak speed: client compiler only, small serial heap
JVM_OPTS=(-Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djava.awt.headless=true)

die() { echo "broker.sh: $*" >&2; exit 1; }

check() {
    command -v java >/dev/null 2>&1 || { echo "no java on PATH (make deps installs openjdk-17-jre-headless)"; return 1; }
    ls "$KAFKA_LIB"/kafka_2.13-*.jar >/dev/null 2>&1 ||
        { echo "no Kafka jars in $KAFKA_LIB (make deps fetches them with Maven)"; return 1; }
    return 0
}

# Three free loopback ports (the kernel's choice, released at once).
free_ports() {
    python3 -c 'import socket
ss = [socket.socket() for _ in range(3)]
for s in ss: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
for s in ss: s.close()'
}

configure() {
    local dir=$1 plain sasl ctl
    read -r plain sasl ctl < <(free_ports) || die "cannot pick free ports"
    mkdir -p "$dir/data"
    cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctl
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$plain,SASL_PLAINTEXT://127.0.0.1:$sasl,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$plain,SASL_PLAINTEXT://127.0.0.1:$sasl
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_flowc="flowc-secret";
log.dirs=$dir/data
auto.create.topics.enable=false
num.partitions=1
num.network.threads=2
num.io.threads=2
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
EOF
    cat >"$dir/log4j2.properties" <<EOF
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=file
appender.file.type=File
appender.file.name=file
appender.file.fileName=$dir/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
EOF
    echo "127.0.0.1:$plain 127.0.0.1:$sasl" >"$dir/bootstrap"
    # kafka-storage.sh format: the metadata log of a new single-node cluster
    timeout 120 java "${JVM_OPTS[@]}" -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
        kafka.tools.StorageTool format -t "$(cluster_id)" -c "$dir/server.properties" >"$dir/format.log" 2>&1 ||
        { cat "$dir/format.log" >&2; die "formatting $dir/data failed"; }
}

# A cluster id: 16 random bytes in URL-safe base64 without padding.
cluster_id() {
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

start() {
    local dir=$1
    [ -f "$dir/server.properties" ] || configure "$dir"
    local log=$dir/server.log lines=0
    [ -f "$log" ] && lines=$(wc -l <"$log")
    timeout -k 5 "$LIMIT" java "${JVM_OPTS[@]}" -cp "$KAFKA_LIB/*" \
        -Dlog4j2.configurationFile="$dir/log4j2.properties" kafka.Kafka "$dir/server.properties" \
        >>"$dir/stdout.log" 2>&1 </dev/null &
    echo $! >"$dir/pid"
    # ready once this start has logged "Kafka Server started" (60 s at most)
    for _ in $(seq 600); do
        if tail -n +"$((lines + 1))" "$log" 2>/dev/null | grep -q 'Kafka Server started'; then
            cat "$dir/bootstrap"
            return 0
        fi
        kill -0 "$(cat "$dir/pid")" 2>/dev/null || { tail -20 "$dir/stdout.log" "$log" >&2; die "the broker exited"; }
        sleep 0.1
    done
    stop "$dir"
    die "the broker did not start within 60 s (see $log)"
}

stop() {
    local dir=$1 pid
    [ -f "$dir/pid" ] || return 0
    pid=$(cat "$dir/pid")
    rm -f "$dir/pid"
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
        sleep 0.1
    done
    # PID is timeout(1), which passed the TERM on to its java child: kill
    # that child first, then timeout itself
    pkill -KILL -P "$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
    return 0
}

case ${1:-} in
check) check ;;
*)
    [ $# -eq 2 ] || die "usage: broker.sh DIR start|stop|restart, or broker.sh check"
    dir=$1
    mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
    case $2 in
    start) check >/dev/null || die "$(check)"; start "$dir" ;;
    stop) stop "$dir" ;;
    restart) stop "$dir" && start "$dir" >/dev/null ;;
    *) die "unknown command '$2'" ;;
    esac
    ;;
esac

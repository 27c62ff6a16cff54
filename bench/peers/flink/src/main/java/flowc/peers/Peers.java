package flowc.peers;

import static flowc.peers.Repr.datetime;
import static flowc.peers.Repr.flt;
import static flowc.peers.Repr.str;
import static flowc.peers.Repr.tuple;

import flowc.peers.Nexmark.Event;
import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * The benchmark workloads of bench/run.sh as Flink DataStream jobs on a
 * local MiniCluster (StreamExecutionEnvironment.createLocalEnvironment):
 *
 *   java -cp 'flowc-peers.jar:lib/*' flowc.peers.Peers JOB...
 *
 * JOB is WORKLOAD:PARALLELISM:EVENTS:INPUT:OUTPUT (EVENTS and INPUT may
 * be "-"), run one after the other in this JVM, each on its own
 * MiniCluster. WORKLOAD may be several joined by "+" (one job with a
 * pipeline for each; "%" in INPUT and OUTPUT stands for the workload's
 * name): the checks of bench/peers/peers.sh pay the MiniCluster's start
 * once. WORKLOAD: w1 w2 w3 w4 brc q0 ... q8 (bench/w1.flow,
 * examples/wordcount.flow, bench/w3.flow, bench/w4.flow,
 * examples/1brc.flow, bench/nexmark/q*.flow); EVENTS: W1's and Nexmark's;
 * INPUT: the file of W2-W4 and 1BRC; OUTPUT: a file that gets every item as Python's repr (what flowc
 * and Bytewax print), or "-": the items are built and dropped by a
 * DiscardingSink (flowc's discard). After each job, on stderr:
 *
 *   flink-job WORKLOAD PARALLELISM EVENTS cpu=SECONDS wall=SECONDS
 *
 * the process CPU time (all threads) and the wall time of that job's
 * env.execute(), its MiniCluster's start included; JVM start-up is not.
 *
 * Sources: W1's sequence and the files are read by one subtask (Bytewax's
 * TestingSource and FileSource have one partition; flowc's W1 needs each
 * key's items in order), parsed there and exchanged by key to PARALLELISM
 * subtasks; the Nexmark generator runs in PARALLELISM subtasks. Results
 * that flowc emits at the end of the input (count_final, fold_final,
 * join final) come from event-time timers at Long.MAX_VALUE, which fire
 * on the end of input's final watermark. Object reuse is on.
 */
public final class Peers {
    static long N;
    static String IN;
    static String OUT;

    private Peers() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: Peers WORKLOAD:PARALLELISM:EVENTS:INPUT:OUTPUT...");
            System.exit(2);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String job : args) {
            String[] f = job.split(":", 5);
            if (f.length != 5) {
                System.err.println("bad job " + job + " (WORKLOAD:PARALLELISM:EVENTS:INPUT:OUTPUT)");
                System.exit(2);
            }
            int par = Integer.parseInt(f[1]);
            N = f[2].equals("-") ? 0 : Long.parseLong(f[2]);
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            StreamExecutionEnvironment env = environment(par);
            for (String w : f[0].split("\\+")) {
                IN = f[3].replace("%", w);
                OUT = f[4].replace("%", w);
                build(env, w, par);
            }
            env.execute(f[0]);
            System.err.printf("flink-job %s %d %d cpu=%.3f wall=%.3f%n", f[0], par, N,
                    (os.getProcessCpuTime() - c0) / 1e9, (System.nanoTime() - t0) / 1e9);
        }
    }

    static StreamExecutionEnvironment environment(int par) {
        // the MiniCluster's network buffers: 16 MB (the local default is 64 MB)
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("16m"));
        conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("16m"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(par, conf);
        env.getConfig().enableObjectReuse();
        return env;
    }

    static void build(StreamExecutionEnvironment env, String w, int par) {
        switch (w) {
            case "w1": w1(env); break;
            case "w2": w2(env, par); break;
            case "w3": w3(env); break;
            case "w4": w4(env); break;
            case "brc": brc(env); break;
            case "q0": q0(env); break;
            case "q1": q1(env); break;
            case "q2": q2(env); break;
            case "q3": q3(env); break;
            case "q4": q4(env); break;
            case "q5": q5(env); break;
            case "q6": q6(env); break;
            case "q7": q7(env); break;
            case "q8": q8(env); break;
            default:
                System.err.println("unknown workload " + w);
                System.exit(2);
        }
    }

    /** the sink: Python reprs into OUT (one writing subtask), or dropped */
    static <T> void emit(DataStream<T> s, MapFunction<T, String> repr) {
        if (!OUT.equals("-"))
            s.map(repr).returns(Types.STRING).sinkTo(new LineFileSink(OUT)).setParallelism(1);
        else
            s.sinkTo(new DiscardingSink<>());
    }

    /** writes each item as a line of one local file (parallelism 1) */
    static final class LineFileSink implements Sink<String> {
        final String path;

        LineFileSink(String path) { this.path = path; }

        @Override
        public SinkWriter<String> createWriter(WriterInitContext c) throws IOException {
            BufferedWriter out = Files.newBufferedWriter(Paths.get(path), StandardCharsets.UTF_8);
            return new SinkWriter<String>() {
                @Override
                public void write(String line, Context ctx) throws IOException {
                    out.write(line);
                    out.write('\n');
                }

                @Override
                public void flush(boolean endOfInput) throws IOException { out.flush(); }

                @Override
                public void close() throws IOException { out.close(); }
            };
        }
    }

    /** a keyed function that emits only when the input has ended */
    abstract static class AtEnd<K, I, O> extends KeyedProcessFunction<K, I, O> {
        ValueState<Boolean> armed;

        @Override
        public void open(OpenContext c) {
            armed = getRuntimeContext().getState(new ValueStateDescriptor<>("armed", Types.BOOLEAN));
        }

        void arm(Context ctx) throws Exception {
            if (armed.value() == null) {
                armed.update(true);
                ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
            }
        }
    }

    static DataStream<String> lines(StreamExecutionEnvironment env) {
        FileSource<String> src = FileSource.forRecordStreamFormat(new TextLineInputFormat(), new Path(IN)).build();
        return env.fromSource(src, WatermarkStrategy.noWatermarks(), "file").setParallelism(1);
    }

    // ---- W1: keyed running sum ----------------------------------------------------
    static void w1(StreamExecutionEnvironment env) {
        DataStream<Tuple2<String, Long>> sums = env.fromSequence(0, N - 1).setParallelism(1)
                .keyBy(x -> String.valueOf(x % 10000), Types.STRING)
                .process(new KeyedProcessFunction<String, Long, Tuple2<String, Long>>() {
                    ValueState<Long> sum;

                    @Override
                    public void open(OpenContext c) {
                        sum = getRuntimeContext().getState(new ValueStateDescriptor<>("sum", Types.LONG));
                    }

                    @Override
                    public void processElement(Long x, Context ctx, Collector<Tuple2<String, Long>> out)
                            throws Exception {
                        Long s = sum.value();
                        long v = (s == null ? 0 : s) + x;
                        sum.update(v);
                        out.collect(Tuple2.of(ctx.getCurrentKey(), v));
                    }
                });
        emit(sums, t -> tuple(str(t.f0), Long.toString(t.f1)));
    }

    // ---- W2: word count -------------------------------------------------------------
    static final Pattern WORD = Pattern.compile("[^\\s!,.?\":;0-9]+", Pattern.UNICODE_CHARACTER_CLASS);

    static void w2(StreamExecutionEnvironment env, int par) {
        DataStream<String> words = lines(env).flatMap((FlatMapFunction<String, String>) (line, out) -> {
            Matcher m = WORD.matcher(line.toLowerCase(java.util.Locale.ROOT));
            while (m.find())
                out.collect(m.group());
        }).returns(Types.STRING).setParallelism(par);
        DataStream<Tuple2<String, Long>> counts = words.keyBy(x -> x, Types.STRING)
                .process(new AtEnd<String, String, Tuple2<String, Long>>() {
                    ValueState<Long> n;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        n = getRuntimeContext().getState(new ValueStateDescriptor<>("n", Types.LONG));
                    }

                    @Override
                    public void processElement(String x, Context ctx, Collector<Tuple2<String, Long>> out)
                            throws Exception {
                        arm(ctx);
                        Long v = n.value();
                        n.update(v == null ? 1 : v + 1);
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<Tuple2<String, Long>> out)
                            throws Exception {
                        out.collect(Tuple2.of(ctx.getCurrentKey(), n.value()));
                    }
                });
        emit(counts, t -> tuple(str(t.f0), Long.toString(t.f1)));
    }

    // ---- W3: CPU statistics, 1-minute tumbling mean per instance ---------------------
    static final long W3_ALIGN = LocalDateTime.parse("2022-02-24T00:00:00").toInstant(ZoneOffset.UTC).toEpochMilli();

    static void w3(StreamExecutionEnvironment env) {
        DataStream<Tuple3<Long, Double, String>> rows = lines(env)
                .filter(l -> !l.startsWith("index,")).setParallelism(1)
                .map(l -> {
                    String[] f = l.split(",", -1);
                    long t = LocalDateTime.parse(f[1].replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
                    return Tuple3.of(t, Double.parseDouble(f[2]), f[3]);
                }).returns(Types.TUPLE(Types.LONG, Types.DOUBLE, Types.STRING)).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<Long, Double, String>>forMonotonousTimestamps()
                        .withTimestampAssigner((r, ts) -> r.f0)).setParallelism(1);
        DataStream<Tuple3<String, Long, Long>> means = rows.keyBy(r -> r.f2, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(60)))
                .aggregate(new AggregateFunction<Tuple3<Long, Double, String>, Tuple2<Double, Long>, Tuple2<Double, Long>>() {
                    public Tuple2<Double, Long> createAccumulator() { return Tuple2.of(0.0, 0L); }

                    public Tuple2<Double, Long> add(Tuple3<Long, Double, String> r, Tuple2<Double, Long> a) {
                        return Tuple2.of(a.f0 + r.f1, a.f1 + 1);
                    }

                    public Tuple2<Double, Long> getResult(Tuple2<Double, Long> a) { return a; }

                    public Tuple2<Double, Long> merge(Tuple2<Double, Long> a, Tuple2<Double, Long> b) {
                        return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
                    }
                }, new ProcessWindowFunction<Tuple2<Double, Long>, Tuple3<String, Long, Long>, String, TimeWindow>() {
                    @Override
                    public void process(String k, Context c, Iterable<Tuple2<Double, Long>> in,
                            Collector<Tuple3<String, Long, Long>> out) {
                        Tuple2<Double, Long> a = in.iterator().next();
                        long wid = Math.floorDiv(c.window().getStart() - W3_ALIGN, 60000L);
                        out.collect(Tuple3.of(k, wid, (long) Math.rint(a.f0 / (double) a.f1 * 1000000.0)));
                    }
                });
        emit(means, t -> tuple(str(t.f0), Long.toString(t.f1), Long.toString(t.f2)));
    }

    // ---- W4: JSON lines, 10 s tumbling count per user ---------------------------------
    static final long W4_ALIGN = Instant.parse("2022-01-01T00:00:00Z").toEpochMilli();

    static void w4(StreamExecutionEnvironment env) {
        DataStream<Tuple3<Long, String, Long>> events = lines(env)
                .map(new MapFunction<String, Tuple3<Long, String, Long>>() {
                    final ObjectMapper json = new ObjectMapper();

                    @Override
                    public Tuple3<Long, String, Long> map(String l) throws Exception {
                        JsonNode d = json.readTree(l);
                        return Tuple3.of(Instant.parse(d.get("time").asText()).toEpochMilli(), d.get("user").asText(),
                                d.get("val").asLong());
                    }
                }).setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<Long, String, Long>>forMonotonousTimestamps()
                        .withTimestampAssigner((r, ts) -> r.f0)).setParallelism(1);
        DataStream<Tuple3<String, Long, Long>> counts = events.keyBy(e -> e.f1, Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .aggregate(new Count<>(), new WindowId<>(W4_ALIGN, 10000L));
        emit(counts, t -> tuple(str(t.f0), tuple(Long.toString(t.f1), Long.toString(t.f2))));
    }

    static final class Count<T> implements AggregateFunction<T, Long, Long> {
        public Long createAccumulator() { return 0L; }

        public Long add(T x, Long a) { return a + 1; }

        public Long getResult(Long a) { return a; }

        public Long merge(Long a, Long b) { return a + b; }
    }

    /** (key, window id, value): the id as flowc's, (start - align) / slide */
    static final class WindowId<V> extends ProcessWindowFunction<V, Tuple3<String, Long, V>, String, TimeWindow> {
        final long align, slide;

        WindowId(long align, long slide) {
            this.align = align;
            this.slide = slide;
        }

        @Override
        public void process(String k, Context c, Iterable<V> in, Collector<Tuple3<String, Long, V>> out) {
            out.collect(Tuple3.of(k, Math.floorDiv(c.window().getStart() - align, slide), in.iterator().next()));
        }
    }

    // ---- 1BRC: per station min/max/mean at the end of the input -------------------------
    /** parsed by the one reading subtask (as W3), so that each station's
     *  temperatures reach its subtask in file order and the double sums
     *  are added in flowc's order */
    static void brc(StreamExecutionEnvironment env) {
        DataStream<Tuple2<String, Double>> rows = lines(env).map(l -> {
            int i = l.indexOf(';');
            return Tuple2.of(l.substring(0, i), Double.parseDouble(l.substring(i + 1)));
        }).returns(Types.TUPLE(Types.STRING, Types.DOUBLE)).setParallelism(1);
        DataStream<String> stats = rows.keyBy(r -> r.f0, Types.STRING)
                .process(new AtEnd<String, Tuple2<String, Double>, String>() {
                    ValueState<Tuple4<Double, Double, Double, Long>> acc;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        acc = getRuntimeContext().getState(new ValueStateDescriptor<>("acc",
                                Types.TUPLE(Types.DOUBLE, Types.DOUBLE, Types.DOUBLE, Types.LONG)));
                    }

                    @Override
                    public void processElement(Tuple2<String, Double> r, Context ctx, Collector<String> out)
                            throws Exception {
                        arm(ctx);
                        Tuple4<Double, Double, Double, Long> a = acc.value();
                        double x = r.f1;
                        acc.update(a == null ? Tuple4.of(x, x, x, 1L)
                                : Tuple4.of(Math.min(a.f0, x), Math.max(a.f1, x), a.f2 + x, a.f3 + 1));
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<String> out) throws Exception {
                        Tuple4<Double, Double, Double, Long> a = acc.value();
                        out.collect(ctx.getCurrentKey() + "=" + f1(a.f0) + "/" + f1(a.f1) + "/"
                                + f1(a.f2 / (double) a.f3));
                    }
                }).returns(Types.STRING);
        emit(stats, line -> line);
    }

    /** Python's f"{x:.1f}": the double's exact value rounded half to even,
     *  its sign kept on a zero ("-0.0") */
    static String f1(double x) {
        String s = new java.math.BigDecimal(x).setScale(1, java.math.RoundingMode.HALF_EVEN).toPlainString();
        return (x < 0 || (x == 0 && 1 / x < 0)) && !s.startsWith("-") ? "-" + s : s;
    }

    // ---- Nexmark ----------------------------------------------------------------------
    static DataStream<Event> nexmark(StreamExecutionEnvironment env, int bidFields) {
        DataGeneratorSource<Event> src = new DataGeneratorSource<>(i -> Nexmark.event(i, bidFields), N,
                TypeInformation.of(Event.class));
        return env.fromSource(src, WatermarkStrategy.<Event>forMonotonousTimestamps()
                .withTimestampAssigner((e, ts) -> e.dateTimeMs), "nexmark");
    }

    static final int ALL_BID = Nexmark.BID_AUCTION | Nexmark.BID_BIDDER | Nexmark.BID_PRICE | Nexmark.BID_EXTRA;

    static String dt(long ms) { return datetime(ms * 1000); }

    static void q0(StreamExecutionEnvironment env) {
        DataStream<Tuple5<Long, Long, Long, Long, String>> q = nexmark(env, ALL_BID).filter(e -> e.eventType == 2)
                .map(e -> Tuple5.of(e.auction, e.bidder, e.price, e.dateTimeMs, e.extra))
                .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG, Types.LONG, Types.STRING));
        emit(q, t -> tuple(Long.toString(t.f0), Long.toString(t.f1), Long.toString(t.f2), dt(t.f3), str(t.f4)));
    }

    static void q1(StreamExecutionEnvironment env) {
        DataStream<Tuple5<Long, Long, Double, Long, String>> q = nexmark(env, ALL_BID).filter(e -> e.eventType == 2)
                .map(e -> Tuple5.of(e.auction, e.bidder, 0.908 * (double) e.price, e.dateTimeMs, e.extra))
                .returns(Types.TUPLE(Types.LONG, Types.LONG, Types.DOUBLE, Types.LONG, Types.STRING));
        emit(q, t -> tuple(Long.toString(t.f0), Long.toString(t.f1), flt(t.f2), dt(t.f3), str(t.f4)));
    }

    static void q2(StreamExecutionEnvironment env) {
        DataStream<Tuple2<Long, Long>> q = nexmark(env, Nexmark.BID_AUCTION | Nexmark.BID_PRICE)
                .filter(e -> e.eventType == 2 && e.auction % 123 == 0)
                .map(e -> Tuple2.of(e.auction, e.price)).returns(Types.TUPLE(Types.LONG, Types.LONG));
        emit(q, t -> tuple(Long.toString(t.f0), Long.toString(t.f1)));
    }

    /** q3: the SQL's inner join, as a streaming join: each (person, auction)
     *  pair is emitted once, when its second side arrives. */
    static void q3(StreamExecutionEnvironment env) {
        DataStream<Event> ev = nexmark(env, 0);
        DataStream<Event> persons = ev.filter(e -> e.eventType == 0
                && (e.state.equals("OR") || e.state.equals("ID") || e.state.equals("CA")));
        DataStream<Event> auctions = ev.filter(e -> e.eventType == 1 && e.category == 10);
        TypeInformation<Tuple4<String, String, String, Long>> out4 =
                Types.TUPLE(Types.STRING, Types.STRING, Types.STRING, Types.LONG);
        DataStream<Tuple4<String, String, String, Long>> q = persons.keyBy(e -> e.personId, Types.LONG)
                .connect(auctions.keyBy(e -> e.seller, Types.LONG))
                .process(new KeyedCoProcessFunction<Long, Event, Event, Tuple4<String, String, String, Long>>() {
                    ValueState<Event> person;
                    ListState<Long> waiting;

                    @Override
                    public void open(OpenContext c) {
                        person = getRuntimeContext().getState(new ValueStateDescriptor<>("p", Event.class));
                        waiting = getRuntimeContext().getListState(new ListStateDescriptor<>("a", Types.LONG));
                    }

                    @Override
                    public void processElement1(Event p, Context ctx, Collector<Tuple4<String, String, String, Long>> out)
                            throws Exception {
                        person.update(p);
                        for (Long id : waiting.get())
                            out.collect(Tuple4.of(p.name, p.city, p.state, id));
                        waiting.clear();
                    }

                    @Override
                    public void processElement2(Event a, Context ctx, Collector<Tuple4<String, String, String, Long>> out)
                            throws Exception {
                        Event p = person.value();
                        if (p != null)
                            out.collect(Tuple4.of(p.name, p.city, p.state, a.auctionId));
                        else
                            waiting.add(a.auctionId);
                    }
                }).returns(out4);
        emit(q, t -> tuple(str(t.f0), str(t.f1), str(t.f2), Long.toString(t.f3)));
    }

    /** q4's and q6's inner query: per auction (id, category, seller, best
     *  price) of the highest bid within [the auction's time, its expiry];
     *  bids that reach the key before their auction wait in a list. */
    static DataStream<Tuple4<Long, Long, Long, Long>> winningBids(StreamExecutionEnvironment env) {
        return nexmark(env, Nexmark.BID_AUCTION | Nexmark.BID_PRICE).filter(e -> e.eventType != 0)
                .keyBy(e -> e.eventType == 1 ? e.auctionId : e.auction, Types.LONG)
                .process(new AtEnd<Long, Event, Tuple4<Long, Long, Long, Long>>() {
                    ValueState<Event> auction;
                    ValueState<Long> best;
                    ListState<Tuple2<Long, Long>> early;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        auction = getRuntimeContext().getState(new ValueStateDescriptor<>("auction", Event.class));
                        best = getRuntimeContext().getState(new ValueStateDescriptor<>("best", Types.LONG));
                        early = getRuntimeContext().getListState(new ListStateDescriptor<>("early",
                                Types.TUPLE(Types.LONG, Types.LONG)));
                    }

                    @Override
                    public void processElement(Event e, Context ctx, Collector<Tuple4<Long, Long, Long, Long>> out)
                            throws Exception {
                        arm(ctx);
                        Long b = best.value();
                        long bv = b == null ? -1 : b;
                        if (e.eventType == 1) {
                            auction.update(e);
                            for (Tuple2<Long, Long> tp : early.get())
                                if (e.dateTimeMs <= tp.f0 && tp.f0 <= e.expiresMs && tp.f1 > bv)
                                    bv = tp.f1;
                            early.clear();
                            best.update(bv);
                            return;
                        }
                        Event a = auction.value();
                        if (a == null)
                            early.add(Tuple2.of(e.dateTimeMs, e.price));
                        else if (a.dateTimeMs <= e.dateTimeMs && e.dateTimeMs <= a.expiresMs && e.price > bv)
                            best.update(e.price);
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<Tuple4<Long, Long, Long, Long>> out)
                            throws Exception {
                        Event a = auction.value();
                        Long b = best.value();
                        if (a != null && b != null && b >= 0)
                            out.collect(Tuple4.of(a.auctionId, a.category, a.seller, b));
                    }
                }).returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG, Types.LONG));
    }

    static void q4(StreamExecutionEnvironment env) {
        DataStream<Tuple4<Long, Long, Long, Long>> q = winningBids(env).keyBy(w -> w.f1, Types.LONG)
                .process(new AtEnd<Long, Tuple4<Long, Long, Long, Long>, Tuple4<Long, Long, Long, Long>>() {
                    ValueState<Tuple2<Long, Long>> acc;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        acc = getRuntimeContext().getState(new ValueStateDescriptor<>("acc",
                                Types.TUPLE(Types.LONG, Types.LONG)));
                    }

                    @Override
                    public void processElement(Tuple4<Long, Long, Long, Long> w, Context ctx,
                            Collector<Tuple4<Long, Long, Long, Long>> out) throws Exception {
                        arm(ctx);
                        Tuple2<Long, Long> a = acc.value();
                        acc.update(a == null ? Tuple2.of(1L, w.f3) : Tuple2.of(a.f0 + 1, a.f1 + w.f3));
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<Tuple4<Long, Long, Long, Long>> out)
                            throws Exception {
                        Tuple2<Long, Long> a = acc.value();
                        out.collect(Tuple4.of(ctx.getCurrentKey(), a.f0, a.f1, Math.floorDiv(a.f1, a.f0)));
                    }
                }).returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG, Types.LONG));
        emit(q, t -> tuple(Long.toString(t.f0), Long.toString(t.f1), Long.toString(t.f2), Long.toString(t.f3)));
    }

    /** q5: ties go to the auction whose str() is least (flowc's order) */
    static void q5(StreamExecutionEnvironment env) {
        long align = Nexmark.BASE_MS;
        DataStream<Tuple3<String, Long, Long>> counts = nexmark(env, Nexmark.BID_AUCTION)
                .filter(e -> e.eventType == 2)
                .keyBy(e -> String.valueOf(e.auction), Types.STRING)
                .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .aggregate(new Count<>(), new WindowId<>(align, 2000L));
        DataStream<Tuple3<Long, String, Long>> hot = counts.keyBy(c -> c.f1, Types.LONG)
                .process(new AtEnd<Long, Tuple3<String, Long, Long>, Tuple3<Long, String, Long>>() {
                    ValueState<Tuple2<String, Long>> best;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        best = getRuntimeContext().getState(new ValueStateDescriptor<>("best",
                                Types.TUPLE(Types.STRING, Types.LONG)));
                    }

                    @Override
                    public void processElement(Tuple3<String, Long, Long> c, Context ctx,
                            Collector<Tuple3<Long, String, Long>> out) throws Exception {
                        arm(ctx);
                        Tuple2<String, Long> b = best.value();
                        if (b == null || c.f2 > b.f1 || (c.f2.equals(b.f1) && c.f0.compareTo(b.f0) < 0))
                            best.update(Tuple2.of(c.f0, c.f2));
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<Tuple3<Long, String, Long>> out)
                            throws Exception {
                        Tuple2<String, Long> b = best.value();
                        out.collect(Tuple3.of(ctx.getCurrentKey(), b.f0, b.f1));
                    }
                }).returns(Types.TUPLE(Types.LONG, Types.STRING, Types.LONG));
        emit(hot, t -> tuple(str(Long.toString(t.f0)), tuple(str(t.f1), Long.toString(t.f2))));
    }

    /** q6: per seller, the mean winning price of its last 10 auctions by id */
    static void q6(StreamExecutionEnvironment env) {
        DataStream<Tuple4<Long, Long, Long, Long>> q = winningBids(env).keyBy(w -> w.f2, Types.LONG)
                .process(new AtEnd<Long, Tuple4<Long, Long, Long, Long>, Tuple4<Long, Long, Long, Long>>() {
                    ListState<Tuple2<Long, Long>> won;

                    @Override
                    public void open(OpenContext c) {
                        super.open(c);
                        won = getRuntimeContext().getListState(new ListStateDescriptor<>("won",
                                Types.TUPLE(Types.LONG, Types.LONG)));
                    }

                    @Override
                    public void processElement(Tuple4<Long, Long, Long, Long> w, Context ctx,
                            Collector<Tuple4<Long, Long, Long, Long>> out) throws Exception {
                        arm(ctx);
                        won.add(Tuple2.of(w.f0, w.f3));
                    }

                    @Override
                    public void onTimer(long t, OnTimerContext ctx, Collector<Tuple4<Long, Long, Long, Long>> out)
                            throws Exception {
                        List<Tuple2<Long, Long>> all = new ArrayList<>();
                        for (Tuple2<Long, Long> x : won.get())
                            all.add(Tuple2.of(x.f0, x.f1));
                        all.sort((a, b) -> Long.compare(a.f0, b.f0));
                        long n = 0, sum = 0;
                        for (int i = Math.max(0, all.size() - 10); i < all.size(); i++) {
                            n++;
                            sum += all.get(i).f1;
                        }
                        out.collect(Tuple4.of(ctx.getCurrentKey(), n, sum, Math.floorDiv(sum, n)));
                    }
                }).returns(Types.TUPLE(Types.LONG, Types.LONG, Types.LONG, Types.LONG));
        emit(q, t -> tuple(Long.toString(t.f0), Long.toString(t.f1), Long.toString(t.f2), Long.toString(t.f3)));
    }

    /** q7: ties go to the earliest event (flowc's max_window keeps the first) */
    static void q7(StreamExecutionEnvironment env) {
        DataStream<Event> highest = nexmark(env, ALL_BID).filter(e -> e.eventType == 2)
                .keyBy(e -> "all", Types.STRING)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .reduce((a, b) -> b.price > a.price || (b.price == a.price && b.n < a.n) ? b : a);
        emit(highest, e -> tuple(Long.toString(e.auction), Long.toString(e.price), Long.toString(e.bidder),
                dt(e.dateTimeMs), str(e.extra)));
    }

    /** q8: persons who opened an auction in the 10 s window they joined in */
    static void q8(StreamExecutionEnvironment env) {
        DataStream<Tuple3<Long, String, Long>> q = nexmark(env, 0).filter(e -> e.eventType != 2)
                .keyBy(e -> e.eventType == 0 ? e.personId : e.seller, Types.LONG)
                .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
                .process(new ProcessWindowFunction<Event, Tuple3<Long, String, Long>, Long, TimeWindow>() {
                    @Override
                    public void process(Long k, Context c, Iterable<Event> in, Collector<Tuple3<Long, String, Long>> out) {
                        String name = null;
                        boolean opened = false;
                        for (Event e : in) {
                            if (e.eventType == 0 && name == null)
                                name = e.name;
                            else if (e.eventType == 1)
                                opened = true;
                        }
                        if (name != null && opened)
                            out.collect(Tuple3.of(k, name, Math.floorDiv(c.window().getStart() - Nexmark.BASE_MS,
                                    10000L)));
                    }
                }).returns(Types.TUPLE(Types.LONG, Types.STRING, Types.LONG));
        emit(q, t -> tuple(Long.toString(t.f0), str(t.f1), Long.toString(t.f2)));
    }
}

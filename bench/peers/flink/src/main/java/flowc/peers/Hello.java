package flowc.peers;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
public class Hello { public static void main(String[] a) throws Exception {
  StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1);
  env.fromSequence(0, 9).map(x -> x * 2).print(); env.execute("hello"); } }

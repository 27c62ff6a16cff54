package flowc.peers;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** Python's repr() of the values the workloads print (what flowc and
 *  Bytewax print), so the Flink jobs' outputs compare byte for byte. */
public final class Repr {
    private Repr() {}

    public static String str(String s) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == q)
                b.append('\\').append(c);
            else if (c == '\n')
                b.append("\\n");
            else if (c == '\r')
                b.append("\\r");
            else if (c == '\t')
                b.append("\\t");
            else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0xad)
                b.append(String.format("\\x%02x", (int) c));
            else
                b.append(c);
        }
        return b.append(q).toString();
    }

    /** Python's float repr: the shortest digits that read back the same;
     *  positional for 1e-4 <= abs(x) < 1e16, else d.ddde+XX. */
    public static String flt(double x) {
        if (Double.isNaN(x))
            return "nan";
        if (Double.isInfinite(x))
            return x > 0 ? "inf" : "-inf";
        if (x == 0)
            return (1 / x < 0) ? "-0.0" : "0.0";
        BigDecimal d = null;
        for (int p = 1; p <= 17; p++) {
            d = new BigDecimal(x).round(new MathContext(p));
            if (d.doubleValue() == x)
                break;
        }
        d = d.stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;
        if (exp >= -4 && exp < 16) {
            String s = d.toPlainString();
            return s.indexOf('.') < 0 ? s + ".0" : s;
        }
        String digits = d.unscaledValue().abs().toString();
        String m = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        return (x < 0 ? "-" : "") + m + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    /** repr of a UTC datetime given in microseconds since the epoch */
    public static String datetime(long us) {
        ZonedDateTime t = Instant.ofEpochSecond(Math.floorDiv(us, 1000000L), Math.floorMod(us, 1000000L) * 1000)
                .atZone(ZoneOffset.UTC);
        StringBuilder b = new StringBuilder("datetime.datetime(");
        b.append(t.getYear()).append(", ").append(t.getMonthValue()).append(", ").append(t.getDayOfMonth())
                .append(", ").append(t.getHour()).append(", ").append(t.getMinute());
        int s = t.getSecond(), u = t.getNano() / 1000;
        if (s != 0 || u != 0)
            b.append(", ").append(s);
        if (u != 0)
            b.append(", ").append(u);
        return b.append(", tzinfo=datetime.timezone.utc)").toString();
    }

    /** a tuple of already repr'd parts */
    public static String tuple(String... parts) { return "(" + String.join(", ", parts) + ")"; }
}

/*
 * test_num.c - unit tests of num.c's Python arithmetic: int true division
 * (flow_i64_truediv, correctly rounded as CPython's long_true_divide),
 * timedelta / int rounding (flow_i64_div_nearest) and floor division.
 *
 * The tables were computed by Python 3.11: `(a / b).hex()` for true
 * division, `round(Fraction(a, b))` (half to even, timedelta's rule) for
 * the nearest quotient; the pairs are edge cases and random int64 pairs
 * (random.seed(17)), many beyond 2^53 where converting both operands to
 * double first would round twice.
 */
#include <math.h>
#include "unit.h"

static const struct { int64_t a, b; double q; } truediv_cases[] = {
    { INT64_C(1), INT64_C(3), 0x1.5555555555555p-2 },
    { INT64_C(-1), INT64_C(3), -0x1.5555555555555p-2 },
    { INT64_C(2), INT64_C(3), 0x1.5555555555555p-1 },
    { INT64_C(7), INT64_C(2), 0x1.c000000000000p+1 },
    { INT64_C(-7), INT64_C(2), -0x1.c000000000000p+1 },
    { INT64_C(0), INT64_C(-5), -0x0.0p+0 },
    { INT64_C(9007199254740993), INT64_C(1), 0x1.0000000000000p+53 },
    { INT64_C(9007199254740995), INT64_C(1), 0x1.0000000000002p+53 },
    { INT64_C(-9007199254740993), INT64_C(1), -0x1.0000000000000p+53 },
    { INT64_C(9223372036854775807), INT64_C(1), 0x1.0000000000000p+63 },
    { INT64_MIN, INT64_C(1), -0x1.0000000000000p+63 },
    { INT64_MIN, INT64_C(-1), 0x1.0000000000000p+63 },
    { INT64_C(9223372036854775807), INT64_C(9223372036854775807), 0x1.0000000000000p+0 },
    { INT64_MIN, INT64_C(9223372036854775807), -0x1.0000000000000p+0 },
    { INT64_C(1), INT64_C(9223372036854775807), 0x1.0000000000000p-63 },
    { INT64_C(9223372036854775807), INT64_C(3), 0x1.5555555555555p+61 },
    { INT64_C(9223372036854775807), INT64_C(7), 0x1.2492492492492p+60 },
    { INT64_MIN, INT64_C(3), -0x1.5555555555555p+61 },
    { INT64_C(9007199254740993), INT64_C(9007199254740995), 0x1.ffffffffffffep-1 },
    { INT64_C(1000000000000000001), INT64_C(1000000007), 0x1.dcd64fc800000p+29 },
    { INT64_C(4611686018427387905), INT64_C(512), 0x1.0000000000000p+53 },
    { INT64_C(123456789012345678), INT64_C(1000), 0x1.c12218377de6bp+46 },
    { INT64_C(8494629299069725062), INT64_C(-511259551896826675), -0x1.09d774922716ap+4 },
    { INT64_C(-1483737552034479759), INT64_C(-240687055802), 0x1.7841c0e2e8915p+22 },
    { INT64_C(3427972218045804821), INT64_C(2879663321169607), 0x1.299a111568640p+10 },
    { INT64_C(-1666214161515302052), INT64_C(1936792936916415412), -0x1.b878a55af349fp-1 },
    { INT64_C(-2681386639935687438), INT64_C(-419895300318944694), 0x1.98b1b294f5295p+2 },
    { INT64_C(-1743993311017343477), INT64_C(488051076), -0x1.a9fafcf924231p+31 },
    { INT64_C(8436921406475998500), INT64_C(-124983356), -0x1.f6f25915097c5p+35 },
    { INT64_C(7410470552658307906), INT64_C(166267), 0x1.444989c942986p+45 },
    { INT64_C(-6074010020706382397), INT64_C(1184477), -0x1.2a7d4e1c8234fp+42 },
    { INT64_C(-2803831234431313472), INT64_C(3), -0x1.9f0ce6f56f2efp+59 },
    { INT64_C(-3508790419426958531), INT64_C(1890980897185308140), -0x1.db04a8f0de408p+0 },
    { INT64_C(-6670486319759780300), INT64_C(-59607915416), 0x1.aae34051a3babp+26 },
    { INT64_C(3252344181449485597), INT64_C(-9650600), -0x1.39dd55646f3fap+38 },
    { INT64_C(5732965516772189068), INT64_C(-355703124797969), -0x1.f7aa35b5e8032p+13 },
    { INT64_C(5559340136033234298), INT64_C(1), 0x1.349af998a754bp+62 },
    { INT64_C(995826389447084798), INT64_C(4568770861465958), 0x1.b3ed6f7b10da2p+7 },
    { INT64_C(-4997939650552645564), INT64_C(83786), -0x1.b2051ca2d12aep+45 },
    { INT64_C(-1426287116975191569), INT64_C(2922735187749), -0x1.dc8f586249b6ep+18 },
    { INT64_C(2084029033362313647), INT64_C(17098158), 0x1.c60fb64dba3bcp+36 },
    { INT64_C(-2665264510837809558), INT64_C(25625622811), -0x1.8cc21c9ef16dcp+26 },
    { INT64_C(-933770793265747297), INT64_C(-6334379), 0x1.129411e54e566p+37 },
    { INT64_C(-5326516210275642845), INT64_C(459542715380086765), -0x1.72e8b2c1ab0c6p+3 },
    { INT64_C(6465660526489342072), INT64_C(-54369014807887820), -0x1.dbafe98c8b38bp+6 },
    { INT64_C(722597902484218304), INT64_C(-241765), -0x1.5bf27f1aac8dcp+41 },
    { INT64_C(-2965098507530131311), INT64_C(3062877), -0x1.c2cbaedc663abp+39 },
    { INT64_C(-7056570238756239763), INT64_C(113734257), -0x1.ce443e2d6e224p+35 },
    { INT64_C(-6924276578276194391), INT64_C(-4835354004665), 0x1.5d9ca444cc7b3p+20 },
    { INT64_C(5251049629743762375), INT64_C(-2101), -0x1.1c237c2deb15cp+51 },
    { INT64_C(7379217742980173339), INT64_C(520915191118), 0x1.b04edf51c7d80p+23 },
    { INT64_C(7028396869038901513), INT64_C(31208198051785160), 0x1.c26b7f2e324b6p+7 },
    { INT64_C(-4866965918231408515), INT64_C(3635629723), -0x1.3f2ae5c566778p+30 },
    { INT64_C(871952214884695719), INT64_C(72639871093343), 0x1.771e2668350fcp+13 },
    { INT64_C(8092100377000194542), INT64_C(-71799563591219), -0x1.b840086bf5f6ep+16 },
    { INT64_C(-134413628609489891), INT64_C(-1071220956129), 0x1.ea2508c518876p+16 },
    { INT64_C(7947995117952035401), INT64_C(-7), -0x1.f83b34572e08cp+59 },
    { INT64_C(4491721466458759630), INT64_C(67), 0x1.dc5a2ce6656a1p+55 },
    { INT64_C(5417045377296169424), INT64_C(-37131), -0x1.095f5f6965262p+47 },
    { INT64_C(4181191438385079985), INT64_C(-52856505403), -0x1.2dc28ff374679p+26 },
    { INT64_C(-3396923423424008328), INT64_C(-2), 0x1.79225ed8f3228p+60 },
    { INT64_C(3492303416332569523), INT64_C(-78896038182), -0x1.51b657b0b13afp+25 },
    { INT64_C(6309459801250698750), INT64_C(2), 0x1.5e3ed10a889e5p+61 },
    { INT64_C(-7602697525439270578), INT64_C(6200), -0x1.16d0a6cbc0b53p+50 },
    { INT64_C(3419075598189666559), INT64_C(-239972679), -0x1.a89ddc482b1d6p+33 },
    { INT64_C(8322076647295682365), INT64_C(-1), -0x1.cdf7d2794e882p+62 },
    { INT64_C(2774943799658181816), INT64_C(-7069356), -0x1.6d92c3cef4700p+38 },
    { INT64_C(-6845069250837634630), INT64_C(-280648764010380863), 0x1.863e1c1f21209p+4 },
    { INT64_C(-6928373270921378938), INT64_C(-59855839), 0x1.af34c1b113f2dp+36 },
    { INT64_C(577984891284374844), INT64_C(-236263), -0x1.1ccb46ff80b7bp+41 },
    { INT64_C(-8419958121177672698), INT64_C(-89340), 0x1.56dda4103c383p+46 },
    { INT64_C(5455148634541842003), INT64_C(395804326008946), 0x1.aeb38149f40d0p+13 },
    { INT64_C(8090196328246173986), INT64_C(17098831850316), 0x1.ce0dcdf626fd0p+18 },
    { INT64_C(-1061300026119173641), INT64_C(-24706998287), 0x1.47b958e1fe133p+25 },
    { INT64_C(969913159998017071), INT64_C(-7590451603912752202), -0x1.05b1e2303327cp-3 },
    { INT64_C(-712806809967842797), INT64_C(3337655033123972), -0x1.ab215bd1991cfp+7 },
    { INT64_C(2701861686511512387), INT64_C(204356619237243526), 0x1.a714f34d19f5dp+3 },
    { INT64_C(4584210886268556730), INT64_C(-27176), -0x1.32d68ae056e47p+47 },
    { INT64_C(-8183496279947644575), INT64_C(-193086811), 0x1.3bc62633ac4d3p+35 },
    { INT64_C(4326442454882044874), INT64_C(5554728), 0x1.6ab136e6bb1dbp+39 },
    { INT64_C(6176295841181301248), INT64_C(8413341744), 0x1.5e0cb60d41f2cp+29 },
    { INT64_C(-1185410546605090815), INT64_C(-538379376), 0x1.0679fdb4b1d02p+31 },
};

static void truediv(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof truediv_cases / sizeof truediv_cases[0]; i++) {
        double got = flow_i64_truediv(truediv_cases[i].a, truediv_cases[i].b);
        if (got != truediv_cases[i].q || signbit(got) != signbit(truediv_cases[i].q)) {
            print_error("%lld / %lld: got %a, want %a\n", (long long)truediv_cases[i].a,
                        (long long)truediv_cases[i].b, got, truediv_cases[i].q);
            fail();
        }
    }
    /* the slow path agrees with the fast one where both apply */
    for (int64_t a = -1000; a <= 1000; a += 7)
        for (int64_t b = -50; b <= 50; b++)
            if (b)
                assert_true(flowi_i64_truediv(a, b) == (double)a / (double)b);
    assert_true(signbit(flowi_i64_truediv(0, -3)));
}

static const struct { int64_t a, b, q; } nearest_cases[] = {
    { INT64_C(5), INT64_C(2), INT64_C(2) },
    { INT64_C(7), INT64_C(2), INT64_C(4) },
    { INT64_C(-5), INT64_C(2), INT64_C(-2) },
    { INT64_C(-7), INT64_C(2), INT64_C(-4) },
    { INT64_C(5), INT64_C(-2), INT64_C(-2) },
    { INT64_C(-5), INT64_C(-2), INT64_C(2) },
    { INT64_C(1), INT64_C(3), INT64_C(0) },
    { INT64_C(2), INT64_C(3), INT64_C(1) },
    { INT64_C(-2), INT64_C(3), INT64_C(-1) },
    { INT64_C(3), INT64_C(-4), INT64_C(-1) },
    { INT64_C(10), INT64_C(4), INT64_C(2) },
    { INT64_C(14), INT64_C(4), INT64_C(4) },
    { INT64_C(9223372036854775807), INT64_C(2), INT64_C(4611686018427387904) },
    { INT64_MIN, INT64_C(2), INT64_C(-4611686018427387904) },
    { INT64_MIN, INT64_C(3), INT64_C(-3074457345618258603) },
    { INT64_C(9223372036854775807), INT64_C(-2), INT64_C(-4611686018427387904) },
};

static void div_nearest(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof nearest_cases / sizeof nearest_cases[0]; i++)
        assert_int_equal(flow_i64_div_nearest(nearest_cases[i].a, nearest_cases[i].b), nearest_cases[i].q);
}

static void floordiv(void **state)
{
    (void)state;
    assert_int_equal(flow_i64_floordiv(7, 2), 3);
    assert_int_equal(flow_i64_floordiv(-7, 2), -4);
    assert_int_equal(flow_i64_floordiv(7, -2), -4);
    assert_int_equal(flow_i64_floordiv(-7, -2), 3);
    assert_int_equal(flow_i64_floordiv(INT64_MIN, 1), INT64_MIN);
    assert_true(flow_f64_floordiv(7.5, 2.0) == 3.0);
    assert_true(flow_f64_floordiv(-7.5, 2.0) == -4.0);
    assert_true(flow_f64_floordiv(1e16, 2.0) == 5e15);
    assert_true(flow_f64_floordiv(-0.5, INFINITY) == -1.0);   /* Python: -1.0 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truediv),
        cmocka_unit_test(div_nearest),
        cmocka_unit_test(floordiv),
    };
    return cmocka_run_group_tests_name("num", tests, NULL, NULL);
}

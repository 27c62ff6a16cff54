/*
 * io_csv.c - CSV records (RFC 4180: cells separated by ',', quoted with
 * '"' when they hold ',', '"' or line breaks, '""' for a quote inside a
 * quoted cell; a quoted cell may span lines) with a header row whose
 * column names are matched to the record's field names; and the parsers
 * of cells to values, shared with JSON strings (flow_cell_*).
 */
#include "io.h"

#include <stdio.h>

void flowi_csv_free(flowi_part *p)
{
    size_t nf = (size_t)p->nalloc;
    if (p->col_of_field) {
        flow_free(p->col_of_field, sizeof(int) * nf);
        flow_free(p->cells, sizeof(flow_str) * nf);
        flow_free(p->has, sizeof(bool) * nf);
    }
    flow_free(p->row, p->caprow * sizeof p->row[0]);
    p->col_of_field = NULL;
    p->row = NULL;
}

/* The bytes of W that are ',' as a mask (the high bit of each such
 * byte). A comma is a zero byte of x = w ^ ',...'; ((x & 0x7f) + 0x7f) | x
 * has its high bit clear exactly in the zero bytes (no carries between
 * bytes). */
static inline uint64_t comma_bits(uint64_t w)
{
    const uint64_t low7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
    uint64_t x = w ^ UINT64_C(0x2c2c2c2c2c2c2c2c);
    return ~(((x & low7) + low7) | x) & ~low7;
}

/* The commas of R[I..I+8) (I < N) as comma_bits does, bytes at or past N
 * never: a whole word, or the last word of R shifted right past the bytes
 * before I (zero bytes come in at the top, which are not commas). */
static inline uint64_t commas_at(const char *r, size_t i, size_t n)
{
    if (i + 8 <= n)
        return comma_bits(flowi_load_le64(r + i));
    if (n >= 8)
        return comma_bits(flowi_load_le64(r + n - 8) >> (8 * (i - (n - 8))));
    uint64_t z = 0;
    for (size_t j = i; j < n; j++)
        if (r[j] == ',')
            z |= (uint64_t)0x80 << (8 * (j - i));
    return z;
}

/* The index of the first ',' in R[I..N), or N. */
static size_t next_comma(const char *r, size_t i, size_t n)
{
    for (; i < n; i += 8) {
        uint64_t z = commas_at(r, i, n);
        if (z)
            return i + (size_t)__builtin_ctzll(z) / 8;
    }
    return n;
}

/* Appends cell R[0..N) to p->row. */
static void push_cell(flowi_part *p, size_t *ncells, const char *r, size_t n)
{
    if (*ncells == p->caprow)
        flow_vec_grow((void **)&p->row, &p->caprow, sizeof p->row[0], *ncells + 1);
    p->row[(*ncells)++] = (flow_str){ n || r == flow_csv_quoted_empty ? r : "", (int64_t)n };
}

/* split() for a record without '"': every cell points into R, the commas
 * of eight bytes found at once. */
static int split_plain(flowi_part *p, const char *r, size_t n)
{
    size_t ncells = 0, start = 0;
    for (size_t i = 0; i < n; i += 8)
        for (uint64_t z = commas_at(r, i, n); z; z &= z - 1) {
            size_t c = i + (size_t)__builtin_ctzll(z) / 8;
            push_cell(p, &ncells, r + start, c - start);
            start = c + 1;
        }
    size_t end = n;
    if (end > start && r[end - 1] == '\r')
        end--;    /* CRLF line ends */
    push_cell(p, &ncells, r + start, end - start);
    return (int)ncells;
}

/* Split the record in R into cells (into p->row, pointing into R when
 * unquoted, into A when quoted). Returns the cell count, or -1 for a
 * quote error. */
const char flow_csv_quoted_empty[1] = "";

static int split(flowi_part *p, flow_arena *a, const char *r, size_t n, const char **why)
{
    size_t ncells = 0;
    size_t i = 0;
    for (;;) {
        if (i < n && r[i] == '"') {
            /* quoted: copy with "" -> " */
            char *out = flow_arena_alloc(a, n - i + 1);
            size_t o = 0;
            i++;
            for (;;) {
                if (i >= n) {
                    *why = "unterminated quoted cell";
                    return -1;
                }
                if (r[i] == '"') {
                    if (i + 1 < n && r[i + 1] == '"') {
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                out[o++] = r[i++];
            }
            push_cell(p, &ncells, o ? out : flow_csv_quoted_empty, o);
            if (i < n && r[i] != ',' && !(r[i] == '\r' && i + 1 == n)) {
                *why = "text after a quoted cell";
                return -1;
            }
        } else {
            size_t j = next_comma(r, i, n);
            size_t end = j;
            if (end == n && end > i && r[end - 1] == '\r')
                end--;    /* CRLF line ends */
            push_cell(p, &ncells, r + i, end - i);
            i = j;
        }
        if (i >= n || (r[i] == '\r' && i + 1 == n))
            return (int)ncells;
        i++;    /* the ',' */
    }
}

void flowi_csvq_feed(flowi_csvq *q, const char *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (q->quote_pending) {
            q->quote_pending = false;
            if (c == '"')
                continue;        /* "" inside a quoted cell: a quote */
            q->in = false;       /* the quote closed the cell; C is outside */
        }
        if (q->in) {
            if (c == '"')
                q->quote_pending = true;
            continue;
        }
        if (c == '"' && q->cell_start) {
            q->in = true;
            q->cell_start = false;
            continue;
        }
        q->cell_start = c == ',';
    }
}

/* The record is bad (flow_src_bad with MSG); HEADER: it is the header,
 * "bad header row: MSG", which stops the input in both on_error modes
 * (skipped, the next line would be taken for the header). */
static void bad(flow_src *s, bool header, const char *msg)
{
    if (!header) {
        flow_src_bad(s, "%s", msg);
        return;
    }
    bool skip = s->cfg.skip;
    s->cfg.skip = false;
    flow_src_bad(s, "bad header row: %s", msg);
    s->cfg.skip = skip;
}

static void read_header(flow_src *s, flowi_part *p, flow_arena *a, const char *r, size_t n)
{
    const char *why = NULL;
    int nc = split(p, a, r, n, &why);
    int nf = s->cfg.nfields;
    p->have_header = true;
    p->nalloc = nf ? nf : 1;
    p->col_of_field = flow_alloc(sizeof(int) * (size_t)(nf ? nf : 1));
    p->cells = flow_alloc(sizeof(flow_str) * (size_t)(nf ? nf : 1));
    p->has = flow_alloc(sizeof(bool) * (size_t)(nf ? nf : 1));
    for (int f = 0; f < nf; f++)
        p->col_of_field[f] = -1;
    if (nc < 0) {
        bad(s, true, why);
        nc = 0;
    }
    p->ncols = nc;
    for (int c = 0; c < nc; c++) {
        flow_str name = p->row[c];
        for (int f = 0; f < nf; f++) {
            const char *fname = s->cfg.fields[f];
            /* a name repeated in the header: the last column wins, as in
             * Python's csv.DictReader */
            if ((int64_t)strlen(fname) == name.n && memcmp(fname, name.p, (size_t)name.n) == 0)
                p->col_of_field[f] = c;
        }
    }
}

/* The rest of a record whose quoted cell is open after its first line
 * (quote state Q): its lines appended to p->rec, or, once it is longer
 * than FLOW_MAX_RECORD (TOO_LONG: already), consumed to the end of the
 * quoted cell and reported as one bad record, so that no line inside the
 * cell is read as a record of its own. 0, -1 after flow_src_bad, or 1
 * when a stop signal interrupted the reading (nothing reported).
 * HEADER: the record is the header (see bad). */
static int csv_rest(flow_src *s, flowi_part *p, flowi_csvq *q, int64_t first, bool too_long, bool header)
{
    p->qs = q;    /* a line too long to return still has its quotes counted */
    while (flowi_csvq_open(q)) {
        const char *more;
        size_t mlen;
        flowi_csvq_feed(q, "\n", 1);
        int rc = flowi_part_line(p, &more, &mlen);
        if (rc == 0 && p->stalled) {
            p->qs = NULL;
            return 1;    /* a stop signal: the record is left unread */
        }
        if (rc == 0) {
            p->qs = NULL;
            s->line = first;
            bad(s, header, "unterminated quoted cell");
            return -1;
        }
        if (rc < 0) {
            too_long = true;
            continue;
        }
        flowi_csvq_feed(q, more, mlen);
        if (too_long)
            continue;
        flow_buf_putc(&p->rec, '\n');
        flow_buf_put(&p->rec, more, mlen);
        too_long = p->rec.n > FLOW_MAX_RECORD;
    }
    p->qs = NULL;
    if (too_long) {
        char msg[64];
        snprintf(msg, sizeof msg, "record longer than %zu bytes", FLOW_MAX_RECORD);
        s->line = first;
        bad(s, header, msg);
        return -1;
    }
    return 0;
}

int flowi_csv_rest(flow_src *s, flowi_part *p, flowi_csvq *q, int64_t first, bool too_long)
{
    return csv_rest(s, p, q, first, too_long, false);
}

void flowi_csv_header(flow_src *s, flowi_part *p)
{
    while (!p->have_header) {
        const char *line;
        size_t len;
        if (flowi_part_line(p, &line, &len) <= 0)
            return;
        if (p->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;    /* a byte order mark, as part_record skips it */
            len -= 3;
        }
        flow_rec rec;
        if (flowi_csv_record(s, p, &s->rt->arena, line, len, &rec) < 0)
            return;
    }
}

int flowi_csv_record(flow_src *s, flowi_part *p, flow_arena *a, const char *line, size_t len,
                     flow_rec *rec)
{
    const char *r = line;
    size_t n = len;
    int64_t first = p->lineno;
    bool quotes = memchr(line, '"', len) != NULL;    /* most records: none */
    if (quotes) {
        flowi_csvq q;
        flowi_csvq_init(&q);
        flowi_csvq_feed(&q, line, len);
        if (flowi_csvq_open(&q) && s->cfg.split_bytes) {
            /* split = "bytes" cuts at line starts: every line is a record
             * on its own, whatever the number of workers */
            s->line = first;
            bad(s, !p->have_header, "a quoted cell spans lines (split = \"bytes\" reads a record per line)");
            return -1;
        }
        if (flowi_csvq_open(&q)) {
            /* a quoted cell spans lines: gather them */
            p->rec.n = 0;
            flow_buf_put(&p->rec, line, len);
            int rest = csv_rest(s, p, &q, first, false, !p->have_header);
            if (rest != 0)
                return rest < 0 ? -1 : 0;
            r = p->rec.p;
            n = p->rec.n;
        }
    }
    s->line = first;
    if (!flow_utf8_valid(r, n)) {
        bad(s, !p->have_header, "invalid UTF-8");
        return -1;
    }
    if (!p->have_header) {
        read_header(s, p, a, r, n);
        return s->pending ? -1 : 2;
    }
    if (n == 0 || (n == 1 && r[0] == '\r'))
        return 2;    /* blank line: no record (as csv.DictReader) */
    /* the record's copy for the round, which the cells point into */
    flow_str text = flowi_arena_str(a, r, n);
    const char *why = NULL;
    int nc = quotes ? split(p, a, text.p, n, &why) : split_plain(p, text.p, n);
    if (nc < 0) {
        flow_src_bad(s, "%s", why);
        return -1;
    }
    if (nc > p->ncols) {
        flow_src_bad(s, "extra column: the row has %d fields, the header %d", nc, p->ncols);
        return -1;
    }
    int nf = s->cfg.nfields;
    for (int f = 0; f < nf; f++) {
        int c = p->col_of_field[f];
        if (c >= nc) {
            flow_src_bad(s, "missing field '%s': the row has %d fields, the header %d", s->cfg.fields[f], nc,
                         p->ncols);
            return -1;
        }
        p->has[f] = c >= 0;
        p->cells[f] = c >= 0 ? p->row[c] : (flow_str){ "", 0 };
    }
    if (nc < p->ncols) {
        flow_src_bad(s, "missing field: the row has %d fields, the header %d", nc, p->ncols);
        return -1;
    }
    rec->text = text;
    rec->cols = p->cells;
    rec->has_col = p->has;
    return 1;
}

/* ---- cells to values ----------------------------------------------------- */

static void bad_cell(flow_src *s, flow_str c, const char *field, const char *what)
{
    if (c.n > 40)
        flow_src_bad(s, "field '%s': expected %s, found '%.40s...'", field, what, c.p);
    else
        flow_src_bad(s, "field '%s': expected %s, found '%.*s'", field, what, (int)c.n, c.p);
}

bool flow_cell_int(flow_src *s, flow_str c, const char *field, int64_t *out)
{
    if (flow_int_parse(c, out))
        return true;
    bad_cell(s, c, field, "an int");
    return false;
}

bool flow_cell_float(flow_src *s, flow_str c, const char *field, double *out)
{
    if (flow_float_parse(c, out))
        return true;
    bad_cell(s, c, field, "a float");
    return false;
}

static bool is(flow_str c, const char *w)
{
    return (size_t)c.n == strlen(w) && memcmp(c.p, w, (size_t)c.n) == 0;
}

bool flow_cell_bool(flow_src *s, flow_str c, const char *field, bool *out)
{
    if (is(c, "true") || is(c, "True") || is(c, "1")) {
        *out = true;
        return true;
    }
    if (is(c, "false") || is(c, "False") || is(c, "0")) {
        *out = false;
        return true;
    }
    bad_cell(s, c, field, "a bool (true or false)");
    return false;
}

bool flow_cell_time(flow_src *s, flow_str c, const char *field, flow_time *out)
{
    if (flow_time_parse(c.p, (size_t)c.n, out))
        return true;
    bad_cell(s, c, field, "a timestamp (RFC 3339 or YYYY-MM-DD HH:MM:SS)");
    return false;
}

/* Seconds as the sinks write durations (flow_fmt_seconds): an optional
 * '-', digits, optionally '.' and 1 to 6 more digits: exact microseconds. */
static bool parse_seconds(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = n > 0 && p[0] == '-';
    i += neg;
    uint64_t whole = 0, frac = 0;
    size_t digits = 0;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, digits++)
        if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, (uint64_t)(p[i] - '0'), &whole))
            return false;
    if (!digits)
        return false;
    if (i < n && p[i] == '.') {
        size_t f = 0;
        for (i++; i < n && p[i] >= '0' && p[i] <= '9' && f < 6; i++, f++)
            frac = frac * 10 + (uint64_t)(p[i] - '0');
        if (f == 0)
            return false;
        for (; f < 6; f++)
            frac *= 10;
    }
    uint64_t us;
    if (i != n || __builtin_mul_overflow(whole, (uint64_t)FLOW_US_PER_SEC, &us) || __builtin_add_overflow(us, frac, &us))
        return false;
    if (neg ? us > (uint64_t)INT64_MAX + 1 : us > (uint64_t)INT64_MAX)
        return false;
    *out = neg ? (int64_t)(0 - us) : (int64_t)us;
    return true;
}

/* A duration cell: seconds as the sinks write them ("90", "-1.5"), or a
 * literal with a unit as the language writes it ("10s", "250ms"), either
 * with an optional '-'. */
bool flow_cell_duration(flow_src *s, flow_str c, const char *field, int64_t *out)
{
    if (parse_seconds(c.p, (size_t)c.n, out))
        return true;
    bool neg = c.n > 1 && c.p[0] == '-';
    if (flow_duration_parse(c.p + neg, (size_t)c.n - neg, out)) {
        if (neg)
            *out = -*out;
        return true;
    }
    bad_cell(s, c, field, "a duration (seconds such as 90 or -1.5, or 10s, 250ms)");
    return false;
}

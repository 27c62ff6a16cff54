/*
 * json_simd.cc - the fast path of JSON parsing: simdjson's DOM parser
 * (Debian's libsimdjson, fully validating) behind the small C interface
 * of json_simd.h (flowi_simd_*), for io_jsonl.c.
 *
 * It only accepts a document when jansson (JSON_DECODE_ANY |
 * JSON_ALLOW_NUL) would parse it to the same values; everything else is
 * refused and io_jsonl.c parses the same bytes with jansson, so values
 * and error messages stay jansson's. Compared on a corpus and by a
 * differential fuzz in tests/unit/test_json_simd.c, simdjson 3.0.1 and
 * jansson 2.14 differ only where this file routes to jansson:
 *   - simdjson fails (every malformed document, numbers out of range,
 *     nesting deeper than simdjson's 1024 that jansson allows to 2048,
 *     a NUL byte outside strings: jansson accepts "1" and a NUL);
 *   - an integer in (INT64_MAX, UINT64_MAX]: simdjson's uint64, jansson's
 *     "too big integer" (found by a walk of the tape);
 *   - "\u0000" anywhere (an object key with a NUL is jansson's error).
 * Integer and real classification ("1" int, "1.0" and "1e2" real, "-0"
 * int), the doubles (both round correctly), escapes, surrogates, UTF-8
 * and control-character checks agree.
 */
#include <simdjson.h>

#include <cstring>
#include <new>
#include <type_traits>

#include "json_simd.h"

using namespace simdjson;

struct flowi_simd {
    dom::parser parser;     /* keeps its buffers (input copy, tape, strings) */
};

static_assert(sizeof(dom::element) <= sizeof(flowi_sel), "flowi_sel holds a dom::element");
static_assert(std::is_trivially_copyable<dom::element>::value, "dom::element is copied as bytes");
static_assert(sizeof(dom::array::iterator) <= sizeof(flowi_sel), "flowi_sel holds an iterator");
static_assert(std::is_trivially_copyable<dom::array::iterator>::value, "iterators are copied as bytes");
static_assert(sizeof(dom::object::iterator) <= sizeof(flowi_sel), "flowi_sel holds an object iterator");
static_assert(std::is_trivially_copyable<dom::object::iterator>::value, "object iterators are copied as bytes");

template <typename T> static T from_sel(const flowi_sel *s)
{
    T v;
    std::memcpy(static_cast<void *>(&v), s, sizeof v);
    return v;
}

template <typename T> static void to_sel(flowi_sel *s, const T &v)
{
    std::memcpy(static_cast<void *>(s), static_cast<const void *>(&v), sizeof v);
}

extern "C" flowi_simd *flowi_simd_new(void)
{
    return new (std::nothrow) flowi_simd;
}

extern "C" void flowi_simd_free(flowi_simd *p)
{
    delete p;
}

/* A uint64 on the tape (doc/tape.md of simdjson: 64-bit words, the type
 * in the top byte; a number's value is the next word; word 0 is the root,
 * its payload the index of the closing root word). */
static bool has_uint64(const dom::document &doc)
{
    const uint64_t *t = doc.tape.get();
    size_t end = size_t(t[0] & internal::JSON_VALUE_MASK);
    for (size_t i = 1; i < end; i++) {
        char c = char(t[i] >> 56);
        if (c == 'u')
            return true;
        if (c == 'l' || c == 'd') {
            i++;
            /* a branch, not a conditional add: the layout repeats from
             * line to line and is predicted, where the add chains each
             * step to the previous load (W4: 7 % of the run's time) */
            __asm__ volatile("");
        }
    }
    return false;
}

extern "C" bool flowi_simd_parse(flowi_simd *p, const char *s, size_t n, flowi_sel *root)
{
    /* jansson refuses a NUL in an object key; "\u0000" in string values
     * is rare: let jansson have any document with the escape */
    if (std::memchr(s, '\\', n) && memmem(s, n, "\\u0000", 6))
        return false;
    /* the parser copies the bytes into its padded buffer (reused) */
    dom::element e;
    if (p->parser.parse(s, n, true).get(e) != SUCCESS)
        return false;
    if (has_uint64(p->parser.doc))
        return false;
    to_sel(root, e);
    return true;
}

/* The type and scalar value of element E in *V. */
static inline void view_of(dom::element e, flowi_jview *v)
{
    switch (e.type()) {
    case dom::element_type::ARRAY:
        v->kind = FLOWI_J_ARRAY;
        break;
    case dom::element_type::OBJECT:
        v->kind = FLOWI_J_OBJECT;
        break;
    case dom::element_type::INT64:
        v->kind = FLOWI_J_INT;
        v->i = e.get_int64().value_unsafe();
        break;
    case dom::element_type::UINT64:    /* refused by flowi_simd_parse */
    case dom::element_type::DOUBLE:
        v->kind = FLOWI_J_REAL;
        v->d = e.get_double().value_unsafe();
        break;
    case dom::element_type::STRING: {
        std::string_view sv = e.get_string().value_unsafe();
        v->kind = FLOWI_J_STRING;
        v->s = sv.data();
        v->n = sv.size();
        break;
    }
    case dom::element_type::BOOL:
        v->kind = FLOWI_J_BOOL;
        v->b = e.get_bool().value_unsafe();
        break;
    case dom::element_type::NULL_VALUE:
        v->kind = FLOWI_J_NULL;
        break;
    }
}

extern "C" void flowi_simd_view(const flowi_sel *sel, flowi_jview *v)
{
    view_of(from_sel<dom::element>(sel), v);
}

extern "C" bool flowi_simd_get(const flowi_sel *obj, const char *name, size_t len, flowi_sel *out)
{
    dom::object o = from_sel<dom::element>(obj).get_object().value_unsafe();
    bool found = false;
    /* jansson keeps the last of duplicate keys: look at them all */
    for (dom::object::iterator i = o.begin(), end = o.end(); i != end; ++i) {
        if (i.key_length() != len)
            continue;
        const char *k = i.key_c_str();
        size_t j = 0;
        while (j < len && k[j] == name[j])    /* names are short: no memcmp call */
            j++;
        if (j == len) {
            to_sel(out, i.value());
            found = true;
        }
    }
    return found;
}

extern "C" void flowi_simd_fields(const flowi_sel *obj, const char *const *names, size_t n, flowi_jfield *out)
{
    dom::object o = from_sel<dom::element>(obj).get_object().value_unsafe();
    for (size_t f = 0; f < n; f++)
        out[f].v.kind = FLOWI_J_ABSENT;
    /* one walk of the members; a later duplicate overwrites (jansson keeps
     * the last). Keys hold no NUL here ("\u0000" goes to jansson), so a
     * key matches NAME when their bytes agree up to the key's length and
     * NAME ends there. */
    for (dom::object::iterator i = o.begin(), end = o.end(); i != end; ++i) {
        size_t len = i.key_length();
        const char *k = i.key_c_str();
        for (size_t f = 0; f < n; f++) {
            const char *name = names[f];
            size_t j = 0;
            while (j < len && name[j] && k[j] == name[j])    /* short: no memcmp call */
                j++;
            if (j == len && !name[j]) {
                dom::element e = i.value();
                to_sel(&out[f].e, e);
                view_of(e, &out[f].v);
                break;    /* names are distinct */
            }
        }
    }
}

extern "C" size_t flowi_simd_size(const flowi_sel *arr)
{
    dom::array a = from_sel<dom::element>(arr).get_array().value_unsafe();
    size_t n = a.size();
    if (n < 0xFFFFFF)
        return n;
    n = 0;    /* the tape's count saturates: count them */
    for (dom::element e : a) {
        (void)e;
        n++;
    }
    return n;
}

extern "C" void flowi_simd_first(const flowi_sel *arr, flowi_sel *it)
{
    to_sel(it, from_sel<dom::element>(arr).get_array().value_unsafe().begin());
}

extern "C" void flowi_simd_next(flowi_sel *it)
{
    dom::array::iterator i = from_sel<dom::array::iterator>(it);
    ++i;
    to_sel(it, i);
}

extern "C" void flowi_simd_deref(const flowi_sel *it, flowi_sel *out)
{
    to_sel(out, *from_sel<dom::array::iterator>(it));
}

extern "C" size_t flowi_simd_obj_size(const flowi_sel *obj)
{
    dom::object o = from_sel<dom::element>(obj).get_object().value_unsafe();
    size_t n = o.size();
    if (n < 0xFFFFFF)
        return n;
    n = 0;    /* the tape's count saturates: count them */
    for (dom::object::iterator i = o.begin(), end = o.end(); i != end; ++i)
        n++;
    return n;
}

extern "C" void flowi_simd_obj_first(const flowi_sel *obj, flowi_sel *it)
{
    to_sel(it, from_sel<dom::element>(obj).get_object().value_unsafe().begin());
}

extern "C" void flowi_simd_obj_next(flowi_sel *it)
{
    dom::object::iterator i = from_sel<dom::object::iterator>(it);
    ++i;
    to_sel(it, i);
}

extern "C" void flowi_simd_obj_deref(const flowi_sel *it, flowi_sel *out, const char **key, size_t *len)
{
    dom::object::iterator i = from_sel<dom::object::iterator>(it);
    *key = i.key_c_str();
    *len = i.key_length();
    to_sel(out, i.value());
}

#!/bin/sh
# tests/fuzz/seeds.sh DIR - the seed corpora of the readers' harnesses
# (fuzz_csv, fuzz_jsonl; the encoding is fuzz_io.h's: an options byte, then
# the file, where FF FE K C is a run of bytes C: K F1 1.06 MiB, D4 320
# KiB, D2 288 KiB, B0 64 KiB). Writes DIR/seed-csv and DIR/seed-jsonl
# afresh: each tests/io/data/*.csv or *.jsonl with three options bytes,
# and files of the whole schema with quoted cells spanning
# lines, a BOM, CRLF, Python's NaN and Infinity, and lines and records
# that cross the 256 KiB read block and the 1 MiB record limit.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../io/data"
out=$1
rm -rf "$out/seed-csv" "$out/seed-jsonl"
mkdir -p "$out/seed-csv" "$out/seed-jsonl"

# seed FORMAT NAME OPTIONS-BYTE(octal) BODY(printf format, octal escapes)
seed() {
    { printf "\\$3"; printf "$4"; } > "$out/seed-$1/$2"
}

for f in "$data"/*.csv "$data"/*.jsonl; do
    [ -f "$f" ] || continue
    fmt=${f##*.}
    name=$(basename "$f")
    # the schema of their first four fields, or all of it
    { printf '\023'; cat "$f"; } > "$out/seed-$fmt/$name.b1000"
    { printf '\024'; cat "$f"; } > "$out/seed-$fmt/$name.pipe.b1"
    { printf '\001'; cat "$f"; } > "$out/seed-$fmt/$name.full.b2"
done

# ---- csv ----
H='user,val,at,note,f,b,d,oi,ot,of,ob,od,tags,geo,tu'
R1='x,1,2022-01-01T00:00:00Z,,1.5,true,90,,2022-01-01 00:00:01,nan,False,250ms,"[""a""]","{""lat"": 1, ""lon"": 2.5, ""ids"": null}","[1, ""s"", null]"'
R2='"multi\nline, ""quoted""\ncell",-7,2022-01-01T00:00:00.250000+01:00,"",1e300,0,-1.5,3,,-inf,1,-10s,[],"{""lat"": -0.5, ""lon"": 0, ""ids"": [1, -2]}","[2, """", true]"'
R3=',9223372036854775807,1970-01-01T00:00:00Z,n,-0.0,True,0.000001,-9223372036854775808,,,,,"[""x"", ""y""]","{""lat"": 1e2, ""lon"": 2}","[3, ""z"", false]"'
seed csv full.b1 000 "$H\n$R1\n$R2\n$R3\n"
seed csv full.b2.crlf 001 "$H\r\n$R1\r\n$R2\r\n$R3\r\n"
seed csv full.wide.bom 013 "\357\273\277$H,x0,x7\n$R1,a,\"\"\n$R3,,b\n"
seed csv full.first4.b3 022 "$H\n$R2\n1,2,2022-01-01T00:00:00Z\n\n$R1\n"
seed csv full.nofields 033 "$H\n$R1\n$R2\n"
seed csv blank_and_bad.b1 000 "$H\n\n\r\n$R1\nx\"y,2\n\"open\n"
# a line of 1.06 MiB (unquoted), then a good record
T=2022-01-01T00:00:00Z
seed csv long_line 023 "user,val,at\nx,1,$T\n\377\376\361y,2,$T\nz,3,$T\n"
# a quoted cell of 1.4 MiB over many lines, and one whose first line is
# 1.06 MiB; cells of 320 KiB (more than a read block, under the limit)
seed csv long_cell 023 "user,val,at\nx,1,$T\n\"\377\376\322a\n\377\376\322b\n\377\376\322c\n\377\376\322d\n\377\376\322e\",2,$T\nz,3,$T\n"
seed csv long_first 020 "user,val,at\n\"\377\376\361q\nfake,2,$T\",3,$T\nz,4,$T\n"
seed csv block 023 "user,val,at\n\"\377\376\324w\n\377\376\200v\",1,$T\n\377\376\324u,2,$T\n"

# ---- jsonl ----
J1='{"user": "x", "val": 1, "at": "2022-01-01T00:00:00Z", "note": null, "f": 1.5, "b": true, "d": 1.5, "oi": null, "ot": null, "of": NaN, "ob": false, "od": "10s", "tags": ["a"], "geo": {"lat": 1, "lon": Infinity, "ids": [1, 2]}, "tu": [1, "s", null]}'
J2='{"tu": [2, "\\u00e9\\ud83d\\ude00", true], "geo": {"ids": null, "lat": -Infinity, "lon": 0}, "tags": [], "od": -1.25, "ob": null, "of": 2, "ot": "2022-01-01 00:00:01", "note": "n", "oi": -3, "d": "-90", "b": false, "f": -0.0, "at": "2022-01-01T00:00:00.5Z", "val": -9223372036854775808, "user": "", "x0": "a", "x7": null}'
J3='{"user": "nul\\u0000", "val": 18446744073709551615, "at": 0, "f": 1e400, "b": 1, "d": [], "tags": [1.0], "geo": [], "tu": {}}'
J4='{"val": 2, "val": 3, "user": "dup", "at": "1970-01-01T00:00:00Z", "f": 0, "b": true, "d": 0, "tags": [["a"]], "geo": {"lat": 0, "lon": 0, "ids": [1, "a"]}, "tu": [0, "", false, 1]}'
seed jsonl full.b1 000 "$J1\n$J2\n$J3\n$J4\n"
seed jsonl full.b2.crlf 001 "$J1\r\n$J2\r\n\r\n$J4\r\n"
seed jsonl full.wide.bom 013 "\357\273\277$J2\n$J1\n"
seed jsonl full.first4.b3 022 "$J1\n$J3\n\n$J2\n"
seed jsonl full.nofields 033 "$J4\n[1]\n$J1"
seed jsonl specials 003 '{"f": NaN, "user": "NaN Infinity", "tags": [Infinity, -Infinity]}\n[NaN]\nNaN\n{"val": 1}\n'
seed jsonl nan_run 003 "{\"f\": [$(printf '%0.sNaN' $(seq 12))]}\n{\"f\": NaN}\n"
seed jsonl deep 003 "{\"user\": $(printf '%0.s[' $(seq 1100))$(printf '%0.s]' $(seq 1100))}\n{\"val\": 1}\n"
seed jsonl bad 000 '{"val": 1\n{"val": 1}}\n"str"\n\377\n{"user": "\\ud800"}\n'
# a line of 1.06 MiB (a string), then a good record; one of 320 KiB
seed jsonl long_line 023 "{\"user\": \"\377\376\361z\", \"val\": 1, \"at\": 0}\n$J1\n{\"user\": \"\377\376\324z\", \"val\": 1, \"at\": \"$T\"}\n"
seed jsonl block 003 "$J1\n{\"tags\": [\377\376\2601,\377\376\2601]}\n"

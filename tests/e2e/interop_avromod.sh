# A log whose header another Avro writer rewrote (avromod, Avro C's own tool, which writes the
# schema without its defaults and leaves out contrail's metadata) is still a log of its catalog
# version: an ingest fills a line's missing fields with the catalog's defaults, as a replay of
# the line does (member.invited's lang, "ja"), and --schema-version is judged by the schema.
source "$(dirname "$0")/lib.sh"
at='"at":"2021-01-01T10:00:00+09:00"'
cat > first.jsonl <<EOF2
{"id":"c1","type":"contract.opened","stream":"C-2021-aaaa0001","seq":1,"account":"100001",$at,"data":{"name":"C","kind":"license","start_date":"2021-01-01","end_date":"2021-12-31","owners":[{"user":"o@x.example.jp","email":"o@x.example.jp","name":"O"}],"products":[{"sku":"S1","name":"P","licenses":5}]}}
EOF2
cat > invited.jsonl <<EOF2
{"id":"c2","type":"member.invited","stream":"C-2021-aaaa0001","seq":2,"account":"100001",$at,"data":{"email":"p@x.example.jp","role":"member","by":"o@x.example.jp"}}
EOF2
"$CONTRAIL" ingest --log ours.avro first.jsonl 2> /dev/null
avromod -c deflate ours.avro theirs.avro
# what makes the case: the rewritten header has no default and no contrail.schema_id
[ "$(head -c 65536 theirs.avro | grep -a -c -e '"default"' -e contrail.schema_id)" = 0 ] ||
	fail "avromod kept the defaults or the metadata: nothing is tested"

status=0
"$CONTRAIL" ingest --log theirs.avro --schema-version 1 invited.jsonl > out.txt 2> err.txt ||
	status=$?
expect_eq "exit of --schema-version 1 on a version-2 log without metadata" 3 "$status"
grep -q "theirs.avro holds schema version 2, not 1" err.txt || fail "$(cat err.txt)"
"$CONTRAIL" ingest --log theirs.avro --schema-version 2 invited.jsonl > out.txt 2> err.txt ||
	fail "ingest into the rewritten log: $(cat err.txt)"
"$CONTRAIL" dump --source file:theirs.avro > dumped.jsonl
tail -n 1 dumped.jsonl | grep -q '"lang":"ja"' || fail "$(tail -n 1 dumped.jsonl)"
expect_eq "the rewritten log replays as the lines" \
	"$(cat first.jsonl invited.jsonl > lines.jsonl; replay_hash jsonl:lines.jsonl lines.db)" \
	"$(replay_hash file:theirs.avro theirs.db)"

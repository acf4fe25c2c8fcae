# G1-G4 (seed 000 appendix 5.2): the migration procedure step by step, shown with --until;
# a mismatched allocation with its difference; an overdue migration; the same result whichever
# contract's stream arrives first.
source "$(dirname "$0")/lib.sh"
ev() { # stream id seq at type data
	printf '{"id":"%s","type":"%s","stream":"%s","seq":%s,"account":"1","at":"%s","data":%s}\n' \
		"$2" "$5" "$1" "$3" "$4" "$6"
}
owner='[{"user":"o","email":"o@example.com","name":"O"}]'
{
	ev C-OLD o1 1 2023-04-01T10:00:00+09:00 contract.opened "{\"name\":\"old\",\"kind\":\"license\",\"start_date\":\"2023-04-01\",\"end_date\":\"2024-03-31\",\"owners\":$owner,\"products\":[{\"sku\":\"A\",\"name\":\"製品A\",\"licenses\":5}]}"
	ev C-OLD o2 2 2023-04-02T10:00:00+09:00 environment.created '{"env_id":"e1","name":"本番"}'
	ev C-OLD o3 3 2023-04-02T11:00:00+09:00 environment.allocated '{"env_id":"e1","allocations":[{"sku":"A","count":3}]}'
	ev C-OLD o4 4 2023-04-02T12:00:00+09:00 environment.activated '{"env_id":"e1","mode":"online","reactivation":false}'
	ev C-OLD o5 5 2023-04-03T10:00:00+09:00 environment.created '{"env_id":"e2","name":"検証"}'
	ev C-OLD o6 6 2023-04-03T11:00:00+09:00 environment.allocated '{"env_id":"e2","allocations":[{"sku":"A","count":1}]}'
	ev C-OLD o7 7 2024-01-10T10:00:00+09:00 contract.migration_planned '{"to_contract":"C-NEW"}'
	ev C-OLD o8 8 2024-01-11T10:00:00+09:00 environment.created '{"env_id":"e3","name":"後から"}'
	ev C-OLD o9 9 2024-01-15T10:00:00+09:00 environment.deleted '{"env_id":"e1"}'
	ev C-OLD o10 10 2024-01-16T10:00:00+09:00 contract.migration_planned '{"to_contract":"C-OLD"}'
} > old.jsonl
{
	ev C-NEW n1 1 2024-01-20T10:00:00+09:00 contract.opened "{\"name\":\"new\",\"kind\":\"license\",\"start_date\":\"2024-04-01\",\"end_date\":\"2025-03-31\",\"owners\":$owner,\"products\":[{\"sku\":\"A2\",\"name\":\"製品A\",\"licenses\":5}]}"
	ev C-NEW n2 2 2024-01-21T10:00:00+09:00 environment.created '{"env_id":"n1","name":"本番"}'
	ev C-NEW n3 3 2024-01-22T10:00:00+09:00 environment.allocated '{"env_id":"n1","allocations":[{"sku":"A2","count":3}]}'
	ev C-NEW n4 4 2024-01-23T10:00:00+09:00 environment.activated '{"env_id":"n1","mode":"offline","reactivation":true}'
	ev C-NEW n5 5 2024-01-24T10:00:00+09:00 environment.created '{"env_id":"n2","name":"検証"}'
	ev C-NEW n6 6 2024-01-25T10:00:00+09:00 environment.allocated '{"env_id":"n2","allocations":[{"sku":"A2","count":2}]}'
} > new.jsonl
cat old.jsonl new.jsonl > history.jsonl
cat new.jsonl old.jsonl > new-first.jsonl
step_at() { # until -> step of 本番
	"$CONTRAIL" replay --source jsonl:history.jsonl --db "until-$1.db" --until "$1" --business-date 2024-02-01 > /dev/null
	q "until-$1.db" "SELECT step FROM migrations WHERE env_name = '本番'"
}
expect_eq "G1 planned" planned "$(step_at 2024-01-12T00:00:00+09:00)"
expect_eq "G2 old environment deleted" old_env_deleted "$(step_at 2024-01-16T00:00:00+09:00)"
expect_eq "G2 new environment of the same name" new_env_created "$(step_at 2024-01-21T12:00:00+09:00)"
expect_eq "G2 allocated" allocated "$(step_at 2024-01-22T12:00:00+09:00)"
expect_eq "G2 re-activated after its allocation: done" done "$(step_at 2024-01-23T12:00:00+09:00)"
# G2: an activation at the same instant as the allocation before it (one session) is after it
sed 's/2024-01-23T10:00:00/2024-01-22T10:00:00/' history.jsonl > same-instant.jsonl
"$CONTRAIL" replay --source jsonl:same-instant.jsonl --db same-instant.db --business-date 2024-02-01 > /dev/null
expect_eq "G2 activated at the allocation's instant: done" done \
	"$(q same-instant.db "SELECT step FROM migrations WHERE env_name = '本番'")"
# G1: one migration per environment that existed when it was planned
"$CONTRAIL" replay --source jsonl:history.jsonl --db all.db --business-date 2024-04-01 > /dev/null
expect_eq "migrations" "本番|C-NEW|done|1||2024-03-31|0
検証|C-NEW|allocated|0|製品A: old 1, new 2|2024-03-31|1" \
	"$(q all.db 'SELECT env_name, to_contract, step, allocation_match, difference, due_by, overdue FROM migrations ORDER BY env_name')"
expect_eq "a migration to itself is refused" "o10|bad_format" "$(q all.db 'SELECT event_id, code FROM rejected_events')"
# G4 before the due date nothing is overdue
"$CONTRAIL" replay --source jsonl:history.jsonl --db feb.db --business-date 2024-02-01 > /dev/null
expect_eq "not overdue before the due date" 0 "$(q feb.db 'SELECT sum(overdue) FROM migrations')"
# E4: the new contract's stream first gives the same result
expect_eq "order of the streams" "$("$CONTRAIL" hash --db all.db)" \
	"$(replay_hash jsonl:new-first.jsonl new-first.db --business-date 2024-04-01)"
# a migration to a contract that does not exist stays `planned` and is a reconcile finding
{
	ev C-X x1 1 2023-04-01T10:00:00+09:00 contract.opened "{\"name\":\"x\",\"kind\":\"license\",\"start_date\":\"2023-04-01\",\"end_date\":\"2024-03-31\",\"owners\":$owner,\"products\":[]}"
	ev C-X x2 2 2023-04-02T10:00:00+09:00 environment.created '{"env_id":"e1","name":"本番"}'
	ev C-X x3 3 2023-04-03T10:00:00+09:00 contract.migration_planned '{"to_contract":"C-NOWHERE"}'
} > lost.jsonl
"$CONTRAIL" replay --source jsonl:lost.jsonl --db lost.db --business-date 2024-01-01 > /dev/null
expect_eq "unknown target" "本番|C-NOWHERE|planned" "$(q lost.db 'SELECT env_name, to_contract, step FROM migrations')"
printf 'table,key,column,expected\n' > none.csv
status=0; "$CONTRAIL" reconcile --db lost.db --expected none.csv > lost.txt || status=$?
expect_eq "reconcile finds it" 1 "$status"
grep -q "^unknown_migration_target migrations C-X/本番: to_contract C-NOWHERE does not exist" lost.txt || fail "$(cat lost.txt)"

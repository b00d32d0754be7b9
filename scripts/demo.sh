#!/usr/bin/env bash
# The main job, offline (no LLM can be reached here):
#   1. builds the EBS demo database (Oracle E-Business Suite Payables and Purchasing) in out/demo/
#   2. prints part of its catalog, with the column descriptions
#   3. asks the NL2SQL pipeline one business question; with no LLM configured
#      (configs/offline.yaml) it answers from a stored example of the same shape
#      (examples/ebs_demo/train.json) with this question's values, and says so
#   4. refuses a question that asks to change data
#   5. runs the pipeline over the 71 demo questions and scores its answers (BIRD EX); the
#      questions no stored example matches get no answer and score 0, and the report
#      says how many were answered. With an LLM endpoint in the config
#      (configs/local.yaml) every question goes through generation and selection.
# Takes a few seconds. Environment: ASKGURU (binary, default build/askguru),
# ASKGURU_DEMO_OUT (work directory, default out/demo).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${ASKGURU:-./build/askguru}
out=${ASKGURU_DEMO_OUT:-out/demo}
db="$out/ebs_demo/ebs_demo.sqlite"
questions=examples/ebs_demo/questions.json
examples=examples/ebs_demo/train.json
config=configs/offline.yaml

if [ ! -x "$bin" ]; then
  echo "demo.sh: $bin not found; build first (scripts/setup.sh)" >&2
  exit 1
fi
step() { printf '\n==> %s\n' "$*"; }

step "1/5 Building the Oracle EBS demo database (Payables + Purchasing) in $out/"
"$bin" demo --out "$out"

step "2/5 Its catalog, two of its tables (all of it: $bin schema --db $db)"
"$bin" schema --db "$db" --only AP_SUPPLIERS AP_INVOICES_ALL

question="What is the supplier number of Global Steel Corp?"
step "3/5 A business question, answered offline from a stored example ($config, --examples $examples)"
echo "Q: $question"
"$bin" ask -q --db "$db" --config "$config" --examples "$examples" --artifacts "$out/artifacts" "$question"

step "4/5 A question that asks to change data is refused, before any LLM call"
echo "Q: Delete the cancelled invoices of 2023"
if "$bin" ask -q --db "$db" --config "$config" --artifacts "$out/artifacts" "Delete the cancelled invoices of 2023"; then
  echo "demo.sh: the write question was not refused" >&2
  exit 1
fi

n=$(grep -c '"question_id"' "$questions")
step "5/5 The pipeline over the $n demo questions, offline, scored with BIRD EX"
"$bin" -q eval --config "$config" --examples "$examples" --artifacts "$out/artifacts" --dataset "$questions" \
  --db-root "$out" --metric bird-ex --cache-dir "$out/cache" --out "$out/report.json"
echo
echo "Per-item results and the pipeline's figures are in $out/report.json."

#!/usr/bin/env bash
# The main job, offline (interim, until the NL2SQL pipeline answers the questions itself):
#   1. builds the EBS demo database (Oracle E-Business Suite Payables and Purchasing) in out/demo/
#   2. prints part of its catalog, with the column descriptions
#   3. runs one business question's SQL through the read-only guard
#   4. scores examples/ebs_demo/predictions_baseline.sql (hand-written baseline predictions,
#      not askguru's output) against the demo questions with the BIRD EX metric
# Takes about a second. Environment: ASKGURU (binary, default build/askguru),
# ASKGURU_DEMO_OUT (work directory, default out/demo).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${ASKGURU:-./build/askguru}
out=${ASKGURU_DEMO_OUT:-out/demo}
db="$out/ebs_demo/ebs_demo.sqlite"
questions=examples/ebs_demo/questions.json
predictions=examples/ebs_demo/predictions_baseline.sql

if [ ! -x "$bin" ]; then
  echo "demo.sh: $bin not found; build first (scripts/setup.sh)" >&2
  exit 1
fi
# A subcommand that this build does not have yet is skipped, not an error.
has() { "$bin" "$1" --help >/dev/null 2>&1; }
step() { printf '\n==> %s\n' "$*"; }
skip() { echo "(askguru $1 is not in this build yet: skipped)"; }

step "1/4 Building the Oracle EBS demo database (Payables + Purchasing) in $out/"
"$bin" demo --out "$out"

step "2/4 Its catalog, two of its tables (all of it: $bin schema --db $db)"
if has schema; then
  "$bin" schema --db "$db" --only AP_SUPPLIERS AP_INVOICES_ALL
else
  skip schema
fi

question="Which suppliers have unpaid invoices over 100,000 USD?"
sql="SELECT T1.VENDOR_NAME, T2.INVOICE_NUM, T2.INVOICE_DATE, T2.INVOICE_AMOUNT \
FROM AP_SUPPLIERS AS T1 INNER JOIN AP_INVOICES_ALL AS T2 ON T1.VENDOR_ID = T2.VENDOR_ID \
WHERE T2.PAYMENT_STATUS_FLAG = 'N' AND T2.INVOICE_AMOUNT > 100000 \
AND T2.INVOICE_CURRENCY_CODE = 'USD' AND T2.CANCELLED_DATE IS NULL"
step "3/4 A business question, answered with SQL through the read-only guard"
echo "Q: $question"
echo "SQL: $sql"
if has sql; then
  "$bin" sql --db "$db" "$sql"
else
  skip sql
fi

n=$(grep -c '"question_id"' "$questions")
step "4/4 Scoring hand-written baseline predictions against the $n demo questions (BIRD EX)"
echo "dataset:     $questions"
echo "predictions: $predictions (a naive system's answers, written by hand to exercise the evaluator)"
if has eval; then
  "$bin" eval --dataset "$questions" --db-root "$out" --pred "$predictions" --metric bird-ex \
    --cache-dir "$out/cache" --out "$out/report.json"
  echo
  echo "Per-item results (correct, error, timeout) are in $out/report.json."
else
  skip eval
fi

#!/usr/bin/env bash
# The project's forest against Spotify Annoy's C++ on the same files, in one run on this machine.
# Needs Debian's r-cran-rcppannoy (annoylib.h) and g++.
# usage: [ROUNDS=2] indexer/bench/compare-annoy.sh N DIM [TREES] [SEARCH_K,...] [METRIC]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
n="${1:-100000}"; dim="${2:-512}"; trees="${3:-20}"; searchk="${4:-720,1440,2880,5760}"; metric="${5:-angular}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
inc=/usr/lib/R/site-library/RcppAnnoy/include
[[ -f "$inc/annoylib.h" ]] || { echo "annoylib.h not found: apt-get install r-cran-rcppannoy" >&2; exit 1; }
g++ -O3 -march=native -std=c++14 -DANNOYLIB_MULTITHREADED_BUILD -pthread -I"$inc" \
    "$root/indexer/bench/annoy_bench.cc" -o "$work/annoy_bench"
"$root/xray-drift" bench index-data --out "$work/data" --n "$n" --dim "$dim" --queries 1000 --metric "$metric" \
    2> >(grep -v 'incubator' >&2)
d="$work/data"
# Alternate the two ROUNDS times (default 2): this machine is shared and noisy, so one run each
# is not a comparison. The last round also measures latency during a rebuild and the snapshot.
rounds="${ROUNDS:-2}"
for r in $(seq "$rounds"); do
  echo "== round $r/$rounds: annoy (C++, $(nproc) cores for the build, queries single-threaded)"
  "$work/annoy_bench" "$d/base.fvecs" "$d/query.fvecs" "$d/truth.ivecs" 36 "$trees" "$searchk" "$metric"
  echo "== round $r/$rounds: xray-drift forest (Java, $(nproc) cores for the build, queries single-threaded)"
  extra=()
  [[ "$r" == "$rounds" ]] && extra=(--during-rebuild --snapshot "$work/snapshot")
  "$root/xray-drift" bench index --base "$d/base.fvecs" \
      --query "$d/query.fvecs" --truth "$d/truth.ivecs" --k 36 --trees "$trees" --search-k "$searchk" --metric "$metric" \
      "${extra[@]}" 2> >(grep -v 'incubator' >&2)
done

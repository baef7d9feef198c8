// Spotify Annoy (annoylib.h from Debian's r-cran-rcppannoy) on the same .fvecs/.ivecs files as
// 'xray-drift bench index', printing lines in the same format, for a side-by-side comparison.
// Build: see compare-annoy.sh.   usage: annoy_bench BASE.fvecs QUERY.fvecs TRUTH.ivecs K TREES SEARCH_K[,SEARCH_K...] METRIC
#include <annoylib.h>
#include <kissrandom.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <sys/resource.h>

using Clock = std::chrono::steady_clock;

// .fvecs / .ivecs: per row a little-endian int32 dimension, then that many T.
template <typename T>
static std::vector<T> read_vecs(const char* path, int& dim, int& rows) {
  std::ifstream in(path, std::ios::binary);
  std::vector<T> out;
  rows = 0;
  int d;
  while (in.read(reinterpret_cast<char*>(&d), 4)) {
    dim = d;
    size_t at = out.size();
    out.resize(at + d);
    in.read(reinterpret_cast<char*>(out.data() + at), sizeof(T) * (size_t)d);
    rows++;
  }
  return out;
}

template <typename Distance>
static int run(int argc, char** argv) {
  int dim, n, qdim, nq, tdim, nt;
  std::vector<float> base = read_vecs<float>(argv[1], dim, n);
  std::vector<float> queries = read_vecs<float>(argv[2], qdim, nq);
  std::vector<int> truth = read_vecs<int>(argv[3], tdim, nt);
  int k = atoi(argv[4]);
  int trees = atoi(argv[5]);
  long rss_before = 0;
  {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    rss_before = u.ru_maxrss;
  }
  AnnoyIndex<int, float, Distance, Kiss32Random, AnnoyIndexMultiThreadedBuildPolicy> index(dim);
  for (int i = 0; i < n; i++) index.add_item(i, base.data() + (size_t)i * dim);
  auto t0 = Clock::now();
  index.build(trees, -1);
  double build_s = std::chrono::duration<double>(Clock::now() - t0).count();
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  printf("# annoy index_mb=%.1f vectors_mb=%.1f (max RSS growth during add+build %.1f MB)\n",
         (double)n * (dim * 4 + 12) / 1e6, 4.0 * n * dim / 1e6, (u.ru_maxrss - rss_before) / 1024.0);
  std::stringstream list(argv[6]);
  std::string item;
  while (std::getline(list, item, ',')) {
    int search_k = atoi(item.c_str());
    std::vector<int> result;
    std::vector<float> distances;
    for (int w = 0; w < 50 && w < nq; w++) {
      result.clear();
      distances.clear();
      index.get_nns_by_vector(queries.data() + (size_t)w * dim, k, search_k, &result, &distances);
    }
    long hits = 0;
    std::vector<double> qps;
    std::vector<std::vector<int>> found(nq);
    for (int pass = 0; pass < 3; pass++) {  // median of three passes; answers judged after the clock stops, as 'xray-drift bench index' does
      auto q0 = Clock::now();
      for (int i = 0; i < nq; i++) {
        found[i].clear();
        distances.clear();
        index.get_nns_by_vector(queries.data() + (size_t)i * dim, k, search_k, &found[i], &distances);
      }
      qps.push_back(nq / std::chrono::duration<double>(Clock::now() - q0).count());
      hits = 0;
      for (int i = 0; i < nq; i++) {
        std::set<int> t(truth.begin() + (size_t)i * tdim, truth.begin() + (size_t)i * tdim + k);
        for (int r : found[i]) hits += t.count(r);
      }
    }
    printf("# search_k=%d qps per pass:", search_k);
    for (double p : qps) printf(" %.0f", p);
    printf("\n");
    std::sort(qps.begin(), qps.end());
    printf("recall@%d=%.4f qps=%.1f build_s=%.2f trees=%d search_k=%d n=%d dim=%d runtime=annoy\n", k,
           (double)hits / ((double)nq * k), qps[1], build_s, trees, search_k, n, dim);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 8) {
    fprintf(stderr, "usage: %s BASE.fvecs QUERY.fvecs TRUTH.ivecs K TREES SEARCH_K[,...] angular|euclidean\n", argv[0]);
    return 2;
  }
  if (strcmp(argv[7], "euclidean") == 0) return run<Euclidean>(argc, argv);
  return run<Angular>(argc, argv);
}

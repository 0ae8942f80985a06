{
  "targets": [
    {
      "target_name": "vae_lab_gemm",
      "sources": ["gemm.cc", "ops.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-pthread", "-fno-exceptions", "-ffp-contract=off", "-fno-math-errno", "-fopenmp-simd"],
      "ldflags": ["-pthread"]
    }
  ]
}

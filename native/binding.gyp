{
  "targets": [
    {
      "target_name": "vae_lab_gemm",
      "sources": ["gemm.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-pthread", "-fno-exceptions", "-ffp-contract=off"],
      "ldflags": ["-pthread"],
      "conditions": [["target_arch!='x64'", { "sources!": ["gemm.cc"] }]]
    }
  ]
}

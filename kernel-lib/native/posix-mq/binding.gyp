{
  "targets": [
    {
      "target_name": "posix_mq",
      "sources": ["src/posix_mq.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror=implicit-function-declaration"],
      "link_settings": { "libraries": ["-lrt"] }
    }
  ]
}

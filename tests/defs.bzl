"""Build rules shared by resplit's test packages."""

def resplit_integration_test(name, size = "medium", data = [], tags = [], deps = []):
    """A test of the real resplit binary in front of real redis-server processes.

    Its source is `<name>.cc`; it runs with //proxy:resplit in its runfiles, is tagged
    "integration" (left out of the sanitizer runs) and links GoogleTest's main.

    Args:
      name: the test's name and the stem of its one source file.
      size: Bazel's test size (timeout class).
      data: more runfiles besides the resplit binary.
      tags: more tags besides "integration".
      deps: the libraries it uses besides GoogleTest's main.
    """
    native.cc_test(
        name = name,
        size = size,
        srcs = [name + ".cc"],
        data = ["//proxy:resplit"] + data,
        tags = ["integration"] + tags,
        deps = deps + ["//third_party:gtest_main"],
    )

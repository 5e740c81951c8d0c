"""A cc_test that replays one fuzz target's corpus and findings."""

def fuzz_replay_test(name, deps):
    native.cc_test(
        name = name + "_replay",
        size = "small",
        srcs = [
            name + "_fuzzer.cc",
            "fuzz_check.h",
            "replay_main.cc",
        ],
        args = [
            "tests/fuzz/corpus/" + name,
            "tests/fuzz/findings/" + name,
        ],
        data = native.glob([
            "corpus/" + name + "/**",
            "findings/" + name + "/**",
        ]),
        deps = deps,
    )

#!/usr/bin/env python3
"""Counts individual test cases from Bazel's test.xml files and prints `N passed, N failed`.

A test target that failed without a failing case in its test.xml (a crash, a timeout, a sanitizer
report at exit) counts as one failed case, so nothing that failed can hide behind the count.
Exit status: 0 when at least one case ran and none failed, 1 otherwise.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def first_lines(problem, lines=4, width=300):
    """The start of a failure's message, so a CI log's tail says why and not only what failed."""
    text = (problem.get("message") or problem.text or "").strip()
    if not text:
        return ""
    kept = [line[:width] for line in text.splitlines()[:lines]]
    return "\n    " + "\n    ".join(kept)


def count(xml_path):
    passed = failed = skipped = 0
    failures = []
    root = ET.parse(xml_path).getroot()
    for case in root.iter("testcase"):
        name = f'{case.get("classname", "")}.{case.get("name", "")}'
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed += 1
            failures.append(f"{name}{first_lines(problem)}")
        elif case.get("result") == "skipped" or case.find("skipped") is not None or case.get(
                "status") == "notrun":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def label_to_path(label):
    """//tests/base:base_test -> tests/base/base_test (the layout of bazel-testlogs)."""
    package, _, name = label.lstrip("/").partition(":")
    return f"{package}/{name}" if package else name


def main():
    if len(sys.argv) != 4:
        print("usage: test_summary.py TESTLOGS_DIR ALL_TEST_LABELS_FILE FAILED_LABELS_FILE")
        return 2
    testlogs = pathlib.Path(sys.argv[1])
    targets = [label_to_path(l) for l in pathlib.Path(sys.argv[2]).read_text().split()]
    failed_targets = {label_to_path(l) for l in pathlib.Path(sys.argv[3]).read_text().split()}
    total_passed = total_failed = total_skipped = 0
    for target in targets:
        xml_path = testlogs / target / "test.xml"
        if not xml_path.exists():
            passed, failed, skipped, failures = 0, 1, 0, ["no test.xml (not built or not run)"]
        else:
            try:
                passed, failed, skipped, failures = count(xml_path)
            except ET.ParseError as e:
                passed, failed, skipped, failures = 0, 1, 0, [f"unreadable test.xml: {e}"]
        if target in failed_targets and failed == 0:
            failed, failures = 1, [f"{target} failed outside its test cases (crash or timeout)"]
        for f in failures:
            print(f"FAILED {target}: {f}")
        total_passed += passed
        total_failed += failed
        total_skipped += skipped
    if total_skipped:
        print(f"{total_skipped} skipped")
    print(f"{total_passed} passed, {total_failed} failed")
    return 0 if total_passed > 0 and total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

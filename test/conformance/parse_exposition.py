"""Parses one exposition with Debian's python3-prometheus-client, a parser promwire did not write.

Usage: python3 parse_exposition.py text|openmetrics < exposition

  text         prometheus_client.parser (the Prometheus text format 0.0.4)
  openmetrics  prometheus_client.openmetrics.parser (strict OpenMetrics 1.0.0)

Prints a JSON summary on stdout: {"families": [{name, type, help, unit, samples: [{name, labels,
value, timestamp, exemplar}]}]}. Non-finite numbers are the strings "NaN", "+Inf", "-Inf".
A parse error exits with status 1 and the parser's message on stderr.
"""
import json
import math
import sys


def number(value):
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return value


def timestamp(ts):
    # OpenMetrics timestamps parse to a Timestamp(sec, nsec) or a float.
    if ts is None:
        return None
    if hasattr(ts, "sec"):
        return ts.sec + ts.nsec / 1e9
    return float(ts)


def sample_json(sample):
    exemplar = None
    if sample.exemplar is not None:
        exemplar = {
            "labels": dict(sample.exemplar.labels),
            "value": number(sample.exemplar.value),
            "timestamp": timestamp(sample.exemplar.timestamp),
        }
    return {
        "name": sample.name,
        "labels": dict(sample.labels),
        "value": number(sample.value),
        "timestamp": timestamp(sample.timestamp),
        "exemplar": exemplar,
    }


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("text", "openmetrics"):
        sys.stderr.write("usage: parse_exposition.py text|openmetrics < exposition\n")
        return 2
    if sys.argv[1] == "text":
        from prometheus_client.parser import text_string_to_metric_families
    else:
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    exposition = sys.stdin.buffer.read().decode("utf-8")
    try:
        # The parsers are generators: errors surface while iterating.
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "unit": family.unit,
                "samples": [sample_json(s) for s in family.samples],
            }
            for family in text_string_to_metric_families(exposition)
        ]
    except Exception as error:  # every parse failure, whatever its class
        sys.stderr.write(f"{type(error).__name__}: {error}\n")
        return 1
    json.dump({"families": families}, sys.stdout, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

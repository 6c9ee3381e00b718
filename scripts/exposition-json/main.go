// exposition-json reads the Prometheus text exposition format (0.0.4) on stdin with the Prometheus project's own
// parser, github.com/prometheus/common/expfmt (the one Prometheus' client libraries are tested against), and prints
// its metric families as JSON on stdout, sorted by name: what `mlmon check-metrics` and `mlmon init --from` read.
//
// Why not prom2json, the Prometheus project's command around the same parser: it parses in a goroutine and prints
// whatever families arrived before a parse error, racing the error's exit, so a broken scrape may come out as a
// partial result with exit code 0. Here the parse returns first, then one answer is printed: the families, or the
// error (exit 1) naming the line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type series struct {
	Labels  map[string]string `json:"labels"`
	Buckets map[string]string `json:"buckets,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Metrics []series `json:"metrics"`
}

func main() {
	// UTF-8 names are valid in Prometheus 3 (vLLM's `vllm:` prefix is valid in both schemes).
	parser := expfmt.NewTextParser(model.UTF8Validation)
	parsed, err := parser.TextToMetricFamilies(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := make([]string, 0, len(parsed))
	for name := range parsed {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]family, 0, len(names))
	for _, name := range names {
		mf := parsed[name]
		f := family{Name: name, Type: strings.ToLower(mf.GetType().String()), Metrics: []series{}}
		for _, m := range mf.GetMetric() {
			s := series{Labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.Labels[l.GetName()] = l.GetValue()
			}
			if mf.GetType() == dto.MetricType_HISTOGRAM {
				s.Buckets = map[string]string{}
				for _, b := range m.GetHistogram().GetBucket() {
					s.Buckets[strconv.FormatFloat(b.GetUpperBound(), 'g', -1, 64)] = strconv.FormatUint(b.GetCumulativeCount(), 10)
				}
				s.Buckets["+Inf"] = strconv.FormatUint(m.GetHistogram().GetSampleCount(), 10)
			}
			f.Metrics = append(f.Metrics, s)
		}
		out = append(out, f)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

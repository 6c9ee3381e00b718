// Command pod-security judges the pod templates of Kubernetes manifests with the Pod Security Admission
// library the API server itself runs (k8s.io/pod-security-admission/policy), at the pinned Kubernetes version.
//
//	pod-security [-level restricted] <manifest.yaml>...
//
// Each object that carries a pod (Pod, and the pod template of a Deployment, StatefulSet, DaemonSet,
// ReplicaSet, ReplicationController, Job or CronJob) is evaluated at the level that its namespace's
// `pod-security.kubernetes.io/enforce` label sets, when a Namespace object among the manifests has one.
// Otherwise the -level flag sets it. The object is also evaluated at `-level` (restricted by default), so a
// test can see which pods meet it. Manifests are decoded as the API server decodes them (sigs.k8s.io/yaml).
// One JSON line per pod-bearing object goes to stdout. The exit code is 1 when an object breaks its
// namespace's enforce level, 2 on bad input.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	sigsyaml "sigs.k8s.io/yaml"
)

type object struct {
	File       string
	Kind       string
	Name       string
	Namespace  string
	Template   *corev1.PodTemplateSpec
	NamespaceL map[string]string
}

type result struct {
	File         string   `json:"file"`
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Namespace    string   `json:"namespace"`
	Enforce      string   `json:"enforce"`
	Allowed      bool     `json:"allowed"`
	Reasons      []string `json:"reasons,omitempty"`
	Level        string   `json:"level"`
	MeetsLevel   bool     `json:"meetsLevel"`
	LevelReasons []string `json:"levelReasons,omitempty"`
}

func main() {
	level := flag.String("level", "restricted", "the level every pod is also evaluated at, and the enforce level where no Namespace says")
	flag.Parse()
	wanted, err := api.ParseLevel(*level)
	if err != nil {
		fail(err)
	}
	var objects []object
	namespaces := map[string]map[string]string{}
	for _, file := range flag.Args() {
		found, err := read(file, namespaces)
		if err != nil {
			fail(fmt.Errorf("%s: %w", file, err))
		}
		objects = append(objects, found...)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks(), nil)
	if err != nil {
		fail(err)
	}
	version := api.LatestVersion()
	broken := false
	out := json.NewEncoder(os.Stdout)
	for _, o := range objects {
		enforce := wanted
		if labels, ok := namespaces[o.Namespace]; ok {
			if value, ok := labels[api.EnforceLevelLabel]; ok {
				if enforce, err = api.ParseLevel(value); err != nil {
					fail(fmt.Errorf("namespace %s: %w", o.Namespace, err))
				}
			}
		}
		evaluate := func(l api.Level) (bool, []string) {
			r := policy.AggregateCheckResults(evaluator.EvaluatePod(api.LevelVersion{Level: l, Version: version}, &o.Template.ObjectMeta, &o.Template.Spec))
			var reasons []string
			if !r.Allowed {
				reasons = append(reasons, r.ForbiddenReason()+": "+r.ForbiddenDetail())
			}
			return r.Allowed, reasons
		}
		allowed, reasons := evaluate(enforce)
		meets, levelReasons := evaluate(wanted)
		broken = broken || !allowed
		_ = out.Encode(result{File: o.File, Kind: o.Kind, Name: o.Name, Namespace: o.Namespace, Enforce: string(enforce), Allowed: allowed, Reasons: reasons, Level: string(wanted), MeetsLevel: meets, LevelReasons: levelReasons})
	}
	if broken {
		os.Exit(1)
	}
}

// read returns the pod-bearing objects of one multi-document file, and notes the Namespaces' labels.
func read(file string, namespaces map[string]map[string]string) ([]object, error) {
	content, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	reader := yaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(content)))
	var objects []object
	for {
		document, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objects, nil
		}
		if err != nil {
			return nil, err
		}
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		// The API server's decoding: YAML (1.1 rules) to JSON, then JSON into the typed object, strictly.
		if err := sigsyaml.Unmarshal(document, &head); err != nil {
			return nil, err
		}
		if head.Kind == "Namespace" {
			namespaces[head.Metadata.Name] = head.Metadata.Labels
			continue
		}
		template, err := podTemplate(head.Kind, document)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", head.Kind, head.Metadata.Name, err)
		}
		if template != nil {
			objects = append(objects, object{File: file, Kind: head.Kind, Name: head.Metadata.Name, Namespace: head.Metadata.Namespace, Template: template})
		}
	}
}

func podTemplate(kind string, document []byte) (*corev1.PodTemplateSpec, error) {
	switch kind {
	case "Pod":
		var pod corev1.Pod
		if err := sigsyaml.UnmarshalStrict(document, &pod); err != nil {
			return nil, err
		}
		return &corev1.PodTemplateSpec{ObjectMeta: pod.ObjectMeta, Spec: pod.Spec}, nil
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job":
		var workload struct {
			Spec struct {
				Template corev1.PodTemplateSpec `json:"template"`
			} `json:"spec"`
		}
		if err := sigsyaml.Unmarshal(document, &workload); err != nil {
			return nil, err
		}
		return &workload.Spec.Template, nil
	case "CronJob":
		var cronJob struct {
			Spec struct {
				JobTemplate struct {
					Spec struct {
						Template corev1.PodTemplateSpec `json:"template"`
					} `json:"spec"`
				} `json:"jobTemplate"`
			} `json:"spec"`
		}
		if err := sigsyaml.Unmarshal(document, &cronJob); err != nil {
			return nil, err
		}
		return &cronJob.Spec.JobTemplate.Spec.Template, nil
	}
	return nil, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pod-security:", err)
	os.Exit(2)
}

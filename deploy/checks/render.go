// Package checks renders the kustomize overlays in deploy/k8s, decodes every
// object strictly into the Kubernetes API types and checks the operational
// promises the manifests make (probes, resources, securityContext,
// disruption budgets, network policies, NATS durability, replicas). Its tests
// run the checks against deploy/k8s/overlays/local and production without a
// cluster.
package checks

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// Render builds the kustomization in dir (as `kubectl kustomize dir` does)
// and returns the objects as one YAML stream.
func Render(dir string) ([]byte, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), abs)
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s: %w", dir, err)
	}
	return m.AsYaml()
}

// Objects are the rendered objects, decoded into their API types.
type Objects struct {
	Namespaces      []*corev1.Namespace
	ConfigMaps      []*corev1.ConfigMap
	Secrets         []*corev1.Secret
	Services        []*corev1.Service
	Deployments     []*appsv1.Deployment
	StatefulSets    []*appsv1.StatefulSet
	PDBs            []*policyv1.PodDisruptionBudget
	NetworkPolicies []*networkingv1.NetworkPolicy
}

// Decode decodes a YAML stream strictly: every document must be one of the
// kinds the manifests use, and a field its API type does not have (a typo,
// a wrong indentation), a duplicate field or a wrongly typed value is an
// error, as it would be for a strict server-side apply.
func Decode(stream []byte) (*Objects, error) {
	objs := &Objects{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(stream)))
	var errs []error
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		data, err := sigsyaml.YAMLToJSONStrict(doc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var tm struct {
			metav1.TypeMeta
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &tm); err != nil {
			errs = append(errs, err)
			continue
		}
		target, add := objs.target(tm.APIVersion, tm.Kind)
		if target == nil {
			errs = append(errs, fmt.Errorf("%s %s/%s: kind not known to the checks (add it to Decode)", tm.APIVersion, tm.Kind, tm.Metadata.Name))
			continue
		}
		strict, err := sigsjson.UnmarshalStrict(data, target)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", tm.Kind, tm.Metadata.Name, err))
			continue
		}
		for _, e := range strict {
			errs = append(errs, fmt.Errorf("%s %s: %w", tm.Kind, tm.Metadata.Name, e))
		}
		add()
	}
	return objs, errors.Join(errs...)
}

// target is a fresh value of the API type of apiVersion/kind and a function
// that keeps it once decoded.
func (o *Objects) target(apiVersion, kind string) (any, func()) {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		v := &corev1.Namespace{}
		return v, func() { o.Namespaces = append(o.Namespaces, v) }
	case "v1 ConfigMap":
		v := &corev1.ConfigMap{}
		return v, func() { o.ConfigMaps = append(o.ConfigMaps, v) }
	case "v1 Secret":
		v := &corev1.Secret{}
		return v, func() { o.Secrets = append(o.Secrets, v) }
	case "v1 Service":
		v := &corev1.Service{}
		return v, func() { o.Services = append(o.Services, v) }
	case "apps/v1 Deployment":
		v := &appsv1.Deployment{}
		return v, func() { o.Deployments = append(o.Deployments, v) }
	case "apps/v1 StatefulSet":
		v := &appsv1.StatefulSet{}
		return v, func() { o.StatefulSets = append(o.StatefulSets, v) }
	case "policy/v1 PodDisruptionBudget":
		v := &policyv1.PodDisruptionBudget{}
		return v, func() { o.PDBs = append(o.PDBs, v) }
	case "networking.k8s.io/v1 NetworkPolicy":
		v := &networkingv1.NetworkPolicy{}
		return v, func() { o.NetworkPolicies = append(o.NetworkPolicies, v) }
	}
	return nil, nil
}

// Count is the number of objects.
func (o *Objects) Count() int {
	return len(o.Namespaces) + len(o.ConfigMaps) + len(o.Secrets) + len(o.Services) + len(o.Deployments) +
		len(o.StatefulSets) + len(o.PDBs) + len(o.NetworkPolicies)
}

package checks

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// LoadCompose loads a compose file as `docker compose config` would:
// validated against the Compose specification's schema, anchors and merge
// keys resolved, variables interpolated. env stands for the shell's
// environment (nil: every ${VAR:-default} takes its default).
func LoadCompose(path string, env map[string]string) (*types.Project, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(abs),
		ConfigFiles: []types.ConfigFile{{Filename: abs}},
		Environment: env,
	})
}

// ComposeExpect is what the compose file must meet beyond the schema.
type ComposeExpect struct {
	// Dockerfile every service image is built from, relative to the build
	// context.
	Dockerfile string
	// Reads maps a service (its SERVICE build argument) to the environment
	// variables its binary reads.
	Reads map[string]map[string]bool
	// Public is the only service that may publish ports, on loopback only.
	Public string
	// NATSNodes is the number of NATS servers, each with a configuration
	// file that syncs every write to disk before acknowledging it.
	NATSNodes int
}

// CheckCompose lists what is wrong with a loaded compose project.
func CheckCompose(p *types.Project, e ComposeExpect) []string {
	var pr problems
	built, nats := 0, 0
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		for _, port := range s.Ports {
			if name != e.Public {
				pr.add("service %s publishes port %d; only %s may be reachable from outside", name, port.Target, e.Public)
			} else if port.HostIP != "127.0.0.1" {
				pr.add("service %s publishes port %d on %q, want 127.0.0.1", name, port.Target, port.HostIP)
			}
		}
		if !s.ReadOnly || !slices.Contains(s.CapDrop, "ALL") || !slices.Contains(s.SecurityOpt, "no-new-privileges:true") {
			pr.add("service %s: want read_only, cap_drop [ALL] and no-new-privileges", name)
		}
		if conf := natsConfig(p, s); conf != "" {
			nats++
			if b, err := os.ReadFile(conf); err != nil {
				pr.add("service %s: %v", name, err)
			} else if !jetstreamSyncsAlways(string(b)) {
				pr.add("service %s: %s does not set jetstream { sync_interval: always }", name, conf)
			}
		}
		if s.Build == nil {
			continue
		}
		built++
		svc := s.Build.Args["SERVICE"]
		if s.Build.Dockerfile != e.Dockerfile || svc == nil {
			pr.add("service %s: want build from %s with a SERVICE argument", name, e.Dockerfile)
			continue
		}
		reads, ok := e.Reads[*svc]
		if !ok {
			pr.add("service %s: SERVICE=%s is not a binary of this repository", name, *svc)
			continue
		}
		env := map[string]string{}
		for k, v := range s.Environment {
			if v != nil {
				env[k] = *v
			}
		}
		if unknown := UnknownEnv(env, reads); len(unknown) > 0 {
			pr.add("service %s sets %v, which its binary does not read", name, unknown)
		}
		drain, _ := time.ParseDuration(env["DRAIN_DELAY"])
		shutdown, _ := time.ParseDuration(env["SHUTDOWN_TIMEOUT"])
		grace := 10 * time.Second // Docker's default
		if s.StopGracePeriod != nil {
			grace = time.Duration(*s.StopGracePeriod)
		}
		if grace <= drain+shutdown {
			pr.add("service %s: stop_grace_period %s not above DRAIN_DELAY + SHUTDOWN_TIMEOUT (%s)", name, grace, drain+shutdown)
		}
	}
	if built != len(e.Reads) {
		pr.add("%d services built from %s, want one per binary (%d)", built, e.Dockerfile, len(e.Reads))
	}
	if nats != e.NATSNodes {
		pr.add("%d NATS servers, want %d", nats, e.NATSNodes)
	}
	return pr
}

// natsConfig returns the host path of the configuration file a NATS
// service is started with, or "" for other services.
func natsConfig(p *types.Project, s types.ServiceConfig) string {
	i := slices.Index(s.Command, "--config")
	if len(s.Command) == 0 || s.Command[0] != "nats-server" || i < 0 || i+1 >= len(s.Command) {
		return ""
	}
	for _, v := range s.Volumes {
		if v.Target == s.Command[i+1] {
			if filepath.IsAbs(v.Source) {
				return v.Source
			}
			return filepath.Join(p.WorkingDir, v.Source)
		}
	}
	return fmt.Sprintf("(%s is not mounted)", s.Command[i+1])
}

package checks

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Docker cannot run here, so the image definition is checked in two halves:
// the final stage statically (base, user, labels, entrypoint), and the build
// stage by running its commands on this machine with the stage's arguments,
// environment and working directory, the way BuildKit would inside the
// golang image. That proves the build command compiles each service from
// its own module (GOWORK=off, -mod=readonly) into a static binary.

// Dockerfile is a parsed image definition.
type Dockerfile struct {
	stages  []instructions.Stage
	metaArg map[string]string
}

// ParseDockerfile parses the Dockerfile at path.
func ParseDockerfile(path string) (*Dockerfile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ast, err := parser.Parse(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	stages, metaArgs, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	d := &Dockerfile{stages: stages, metaArg: map[string]string{}}
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			if kv.Value != nil {
				d.metaArg[kv.Key] = *kv.Value
			}
		}
	}
	return d, nil
}

// nonRootUser matches a USER that is neither root nor uid 0.
var nonRootUser = regexp.MustCompile(`^(?:[1-9][0-9]*|[a-z_][a-z0-9_-]*)(?::(?:[1-9][0-9]*|[a-z_][a-z0-9_-]*))?$`)

// CheckImage lists what is wrong with the final stage: the image must be
// multi-stage, start from a minimal base, run as a non-root user, carry
// version metadata, copy only the binary from the build stage and start it
// in exec form (so it gets SIGTERM, not a shell).
func (d *Dockerfile) CheckImage(minimalBases []string) []string {
	var p problems
	if len(d.stages) < 2 {
		p.add("want a multi-stage build, got %d stage(s)", len(d.stages))
		return p
	}
	final := d.stages[len(d.stages)-1]
	if !slices.Contains(minimalBases, final.BaseName) {
		p.add("final stage FROM %s, want one of %v", final.BaseName, minimalBases)
	}
	user, labels, entrypoint := "", map[string]bool{}, false
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.LabelCommand:
			for _, kv := range c.Labels {
				labels[kv.Key] = true
			}
		case *instructions.EntrypointCommand:
			entrypoint = !c.PrependShell
		case *instructions.CopyCommand:
			if c.From == "" {
				p.add("final stage copies %v from the build context; only the build stage's output belongs in the image", c.SourcePaths)
			}
		case *instructions.RunCommand:
			p.add("final stage runs %q; a minimal image has nothing to run", strings.Join(c.CmdLine, " "))
		}
	}
	if !nonRootUser.MatchString(user) || user == "root" || strings.HasPrefix(user, "root:") {
		p.add("final stage USER %q, want a non-root user", user)
	}
	for _, l := range []string{"org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.revision", "org.opencontainers.image.created"} {
		if !labels[l] {
			p.add("final stage has no label %s", l)
		}
	}
	if !entrypoint {
		p.add("final stage needs ENTRYPOINT in exec form")
	}
	return p
}

// BuildOnHost runs the commands of the stage named stage on this machine:
// ARG values from args (or their defaults), ENV, WORKDIR and RUN (with
// sh -c, as BuildKit does), mapping the container paths in paths (e.g.
// "/src" to the repository, "/out" to a temporary directory) to host paths.
// Any other instruction in the stage is an error, so the check cannot pass
// by skipping a step.
func (d *Dockerfile) BuildOnHost(stage string, args map[string]string, paths map[string]string) error {
	i, ok := instructions.HasStage(d.stages, stage)
	if !ok {
		return fmt.Errorf("no stage %q", stage)
	}
	env := map[string]string{}
	for k, v := range d.metaArg {
		env[k] = v
	}
	lookup := func(k string) string { return env[k] }
	dir := "/"
	hostPath := func(s string) string {
		for from, to := range paths {
			s = strings.ReplaceAll(s, from+"/", to+"/")
			if s == from {
				s = to
			}
		}
		return s
	}
	for _, c := range d.stages[i].Commands {
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				switch v, given := args[kv.Key]; {
				case given:
					env[kv.Key] = v
				case kv.Value != nil:
					env[kv.Key] = os.Expand(*kv.Value, lookup)
				default:
					env[kv.Key] = ""
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = os.Expand(kv.Value, lookup)
			}
		case *instructions.WorkdirCommand:
			dir = hostPath(os.Expand(c.Path, lookup))
		case *instructions.RunCommand:
			if !c.PrependShell {
				return fmt.Errorf("RUN in exec form is not supported by this check: %v", c.CmdLine)
			}
			cmd := exec.Command("sh", "-c", hostPath(strings.Join(c.CmdLine, " ")))
			cmd.Dir = dir
			cmd.Env = os.Environ()
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("RUN %s (in %s): %w\n%s", strings.Join(c.CmdLine, " "), dir, err, out)
			}
		default:
			return fmt.Errorf("instruction %T in stage %s is not supported by this check; extend BuildOnHost", c, stage)
		}
	}
	return nil
}

// StaticBinary reports why the ELF file at path is not a static binary
// that a distroless/static image can run, or nil.
func StaticBinary(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s needs a dynamic loader", filepath.Base(path))
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s links %v", filepath.Base(path), libs)
	}
	return nil
}

// envLine is a variable in the ENVIRONMENT section of a binary's --help.
var envLine = regexp.MustCompile(`^\s+([A-Z][A-Z0-9_]*)\s`)

// EnvVars returns the environment variables the binary at path reads, from
// its --help (github.com/ardanlabs/conf's usage text).
func EnvVars(path string) (map[string]bool, error) {
	out, err := exec.Command(path, "--help").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%s --help: %w\n%s", path, err, out)
	}
	_, section, ok := strings.Cut(string(out), "\nENVIRONMENT\n")
	if !ok {
		return nil, fmt.Errorf("%s --help lists no ENVIRONMENT:\n%s", path, out)
	}
	vars := map[string]bool{}
	for _, line := range strings.Split(section, "\n") {
		if m := envLine.FindStringSubmatch(line); m != nil {
			vars[m[1]] = true
		}
	}
	return vars, nil
}

// runtimeEnv are variables read by the Go runtime or a library rather than
// by our configuration structs (the OpenTelemetry SDK's OTEL_*).
var runtimeEnv = regexp.MustCompile(`^(?:OTEL_[A-Z0-9_]+|GOMEMLIMIT|GOMAXPROCS|GOGC|GODEBUG)$`)

// UnknownEnv lists the variables of set that the binary does not read: a
// typo or a stale name there is silently ignored at run time.
func UnknownEnv(set map[string]string, reads map[string]bool) []string {
	var unknown []string
	for k := range set {
		if !reads[k] && !runtimeEnv.MatchString(k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	return unknown
}

package process

import (
	"errors"
	"testing"
	"time"

	"github.com/ardanlabs/conf/v3"
)

type Inner struct {
	Replicas int `conf:"default:1,env:STREAM_REPLICAS"`
}

type testConfig struct {
	Inner
	Delay time.Duration `conf:"default:1s,env:DRAIN_DELAY"`
	Logging
}

func TestParseErrorNamesTheVariable(t *testing.T) {
	for env, value := range map[string]string{"STREAM_REPLICAS": "abc", "DRAIN_DELAY": "5"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, value)
			var cfg testConfig
			_, err := conf.Parse("", &cfg)
			if err == nil || errors.Is(err, conf.ErrHelpWanted) {
				t.Fatalf("%s=%s parsed", env, value)
			}
			if got := envName(&cfg, err); got != env {
				t.Errorf("%s=%s: error names %q (%v)", env, value, got, err)
			}
		})
	}
}

func TestDefaultsMatchConf(t *testing.T) {
	var fromConf, fromDefaults testConfig
	if _, err := conf.Parse("", &fromConf); err != nil {
		t.Fatal(err)
	}
	if err := Defaults(&fromDefaults); err != nil {
		t.Fatal(err)
	}
	if fromConf != fromDefaults {
		t.Fatalf("conf: %+v, Defaults: %+v", fromConf, fromDefaults)
	}
	if fromDefaults.Replicas != 1 || fromDefaults.Delay != time.Second || fromDefaults.LogFormat != "text" {
		t.Fatalf("defaults not set: %+v", fromDefaults)
	}
}

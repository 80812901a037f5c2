package process

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Defaults sets every field of the struct cfg points to from the default in
// its conf tag, the way conf.Parse would without environment or flags. The
// local launcher uses it to start services in-process with their defaults
// and overrides only what it must.
func Defaults(cfg any) error {
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("process.Defaults: want a pointer to a struct, got %T", cfg)
	}
	return setDefaults(v.Elem())
}

func setDefaults(v reflect.Value) error {
	t := v.Type()
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]() {
			if err := setDefaults(fv); err != nil {
				return err
			}
			continue
		}
		def, ok := defaultOf(f.Tag.Get("conf"))
		if !ok {
			continue
		}
		if err := set(fv, def); err != nil {
			return fmt.Errorf("default of %s: %w", f.Name, err)
		}
	}
	return nil
}

func defaultOf(tag string) (string, bool) {
	for _, part := range strings.Split(tag, ",") {
		if d, ok := strings.CutPrefix(part, "default:"); ok {
			return d, true
		}
	}
	return "", false
}

func set(v reflect.Value, s string) error {
	switch {
	case v.Type() == reflect.TypeFor[time.Duration]():
		d, err := time.ParseDuration(s)
		v.SetInt(int64(d))
		return err
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		v.SetBool(b)
		return err
	case v.CanInt():
		n, err := strconv.ParseInt(s, 10, 64)
		v.SetInt(n)
		return err
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

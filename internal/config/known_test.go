package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestKnownKeys fails when a toml tag of relia.toml's structs is missing
// from the "did you mean" list, or the list names a key no struct has.
func TestKnownKeys(t *testing.T) {
	tags := tomlKeys(reflect.TypeFor[raw](), "")
	slices.Sort(tags)
	list := slices.Sorted(slices.Values(known))
	for _, k := range tags {
		if !slices.Contains(list, k) {
			t.Errorf("key %q has a toml tag but is missing from known", k)
		}
	}
	for _, k := range list {
		if !slices.Contains(tags, k) {
			t.Errorf("known lists %q, which no toml tag defines", k)
		}
	}
	if len(slices.Compact(list)) != len(known) {
		t.Errorf("known lists a key twice: %q", known)
	}
}

// tomlKeys lists the dotted keys of struct type t: tables and arrays of
// tables are entered, a map of tables ([sources.NAME]) is entered without
// its names, and anything else (values, maps of values such as headers,
// types that decode themselves such as slo_files) is a key.
func tomlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := prefix + name
		if sub := table(f.Type); sub != nil {
			out = append(out, tomlKeys(sub, key+".")...)
			continue
		}
		out = append(out, key)
	}
	return out
}

// table is the struct type a field of type t decodes as a table (or an
// array or map of tables), or nil when it is a value.
func table(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalTOML(any) error }]()) ||
		t.Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()) || reflect.PointerTo(t).Implements(reflect.TypeFor[interface{ UnmarshalText([]byte) error }]()) {
		return nil
	}
	return t
}

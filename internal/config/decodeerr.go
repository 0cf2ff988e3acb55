package config

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// typeErrRe matches BurntSushi/toml's type errors, which are plain errors
// rather than toml.ParseError: "toml: line 15 (last key "slos.objective"):
// incompatible types: TOML value has type string; destination has type float".
var typeErrRe = regexp.MustCompile(`^toml: (?:line \d+ )?\(last key "([^"]+)"\): incompatible types: TOML value has type (.+); destination has type (.+)$`)

// typeError turns a TOML type error into the positioned Error every other
// problem is reported as. The library's line is the key's last occurrence
// in the file, which inside an array of tables ([[slos]]) is the last
// entry's, not the one at fault: the entry is found again by decoding the
// entries one by one.
func typeError(path, src string, err error) (*Error, bool) {
	m := typeErrRe.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, false
	}
	key, got, want := m[1], m[2], m[3]
	lines := indexKeys(src)
	lineKey := key
	readable := key
	if indexed, entry, ok := failingPath(src, key); ok {
		lineKey, readable = indexed, indexed
		// An SLO is named by its id, as in every other error.
		service, _ := entry["service"].(string)
		name, _ := entry["name"].(string)
		if m := sloIndexRe.FindStringSubmatch(indexed); m != nil && service != "" && name != "" {
			readable = "slos[" + service + "/" + name + "]" + indexed[len(m[0]):]
		}
	}
	return &Error{File: path, Line: lines.line(lineKey), Key: readable,
		Msg: fmt.Sprintf("expected %s, got %s", destType(want), tomlType(got))}, true
}

// failingPath finds, for a dotted key that crosses arrays of tables
// ("slos.alert_rules.long"), the entries that do not decode: it decodes the
// entries one by one, down every array of tables of raw the key crosses,
// and returns the indexed path ("slos[2].alert_rules[0].long") and the
// top-level entry as TOML values.
func failingPath(src, key string) (string, map[string]any, bool) {
	var top map[string]toml.Primitive
	md, err := toml.Decode(src, &top)
	if err != nil {
		return "", nil, false
	}
	parts := strings.Split(key, ".")
	prim, ok := top[parts[0]]
	if !ok {
		return "", nil, false
	}
	var entry map[string]any
	path, changed := parts[0], false
	t := fieldType(reflect.TypeFor[raw](), parts[0])
	for i := 0; t != nil; i++ {
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
			var entries []toml.Primitive
			if md.PrimitiveDecode(prim, &entries) != nil {
				break
			}
			found := false
			for n, e := range entries {
				if md.PrimitiveDecode(e, reflect.New(t.Elem()).Interface()) != nil {
					path += fmt.Sprintf("[%d]", n)
					prim, t, found, changed = e, t.Elem(), true, true
					if entry == nil {
						_ = md.PrimitiveDecode(e, &entry)
					}
					break
				}
			}
			if !found {
				break
			}
		}
		if t.Kind() != reflect.Struct || i+1 >= len(parts) {
			break
		}
		var fields map[string]toml.Primitive
		if md.PrimitiveDecode(prim, &fields) != nil {
			break
		}
		next, ok := fields[parts[i+1]]
		if !ok {
			break
		}
		path += "." + parts[i+1]
		prim, t = next, fieldType(t, parts[i+1])
	}
	if !changed {
		return "", nil, false
	}
	// The key's remaining parts, below where the search stopped.
	if n := strings.Count(stripIndices(path), ".") + 1; n < len(parts) {
		path += "." + strings.Join(parts[n:], ".")
	}
	return path, entry, true
}

// fieldType is the type of the field of struct type t with TOML name name,
// or nil.
func fieldType(t reflect.Type, name string) reflect.Type {
	if t.Kind() != reflect.Struct {
		return nil
	}
	for i := range t.NumField() {
		if strings.Split(t.Field(i).Tag.Get("toml"), ",")[0] == name {
			return t.Field(i).Type
		}
	}
	return nil
}

// tomlType names a decoded TOML value's Go type (as the library prints it)
// the way relia.toml's author knows it.
func tomlType(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "int64":
		return "an integer"
	case goType == "float64":
		return "a float"
	case goType == "bool":
		return "a boolean"
	case strings.HasPrefix(goType, "map["):
		return "a table"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "time.") || strings.HasPrefix(goType, "toml.Local"):
		return "a date or time"
	}
	return goType
}

// destType names what the key takes.
func destType(dst string) string {
	switch dst {
	case "float":
		return "a number"
	case "integer":
		return "an integer"
	case "string", "primitive (string-like)":
		return "a string"
	case "boolean":
		return "true or false"
	case "map":
		return "a table"
	case "slice":
		return "an array"
	}
	return dst
}

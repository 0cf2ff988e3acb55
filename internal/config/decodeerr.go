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
	if first, rest, ok := strings.Cut(key, "."); ok {
		if i, entry, ok := failingEntry(src, first); ok {
			lineKey = fmt.Sprintf("%s[%d].%s", first, i, rest)
			readable = lineKey
			// An SLO is named by its id, as in every other error.
			service, _ := entry["service"].(string)
			name, _ := entry["name"].(string)
			if first == "slos" && service != "" && name != "" {
				readable = "slos[" + service + "/" + name + "]." + rest
			}
		}
	}
	return &Error{File: path, Line: lines.line(lineKey), Key: readable,
		Msg: fmt.Sprintf("expected %s, got %s", destType(want), tomlType(got))}, true
}

// failingEntry returns the index of the first entry of the top-level array
// of tables name that does not decode into its type in raw, and the entry
// as TOML values.
func failingEntry(src, name string) (int, map[string]any, bool) {
	var field reflect.StructField
	found := false
	rt := reflect.TypeFor[raw]()
	for i := range rt.NumField() {
		if strings.Split(rt.Field(i).Tag.Get("toml"), ",")[0] == name {
			field, found = rt.Field(i), true
		}
	}
	if !found || field.Type.Kind() != reflect.Slice {
		return 0, nil, false
	}
	var top map[string]toml.Primitive
	md, err := toml.Decode(src, &top)
	if err != nil {
		return 0, nil, false
	}
	var entries []toml.Primitive
	if err := md.PrimitiveDecode(top[name], &entries); err != nil {
		return 0, nil, false
	}
	for i, e := range entries {
		if err := md.PrimitiveDecode(e, reflect.New(field.Type.Elem()).Interface()); err != nil {
			var entry map[string]any
			_ = md.PrimitiveDecode(e, &entry)
			return i, entry, true
		}
	}
	return 0, nil, false
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

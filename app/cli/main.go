package cli

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"casevault/app/human"
)

// globals are the flags every command takes, given before the command
// ("casevault --vault DIR client list", as git -C and restic -r do). The
// same flags after the command override them.
type globals struct {
	vault    string
	vaultSet bool
	json     bool
	stdinP   bool
	recov    bool
	user     string // --user NAME: who unlocks ("" = the last user here, or the owner)
	userSet  bool
	keyFile  string   // --key-file PATH: the user's key file
	given    []string // the flags as typed, for messages
}

// globalBool are the global flags without a value.
var globalBool = map[string]func(g *globals, v bool){
	"json":             func(g *globals, v bool) { g.json = v },
	"passphrase-stdin": func(g *globals, v bool) { g.stdinP = v },
	"recovery":         func(g *globals, v bool) { g.recov = v },
}

// splitGlobals takes the global flags off the front of args and returns
// them and the rest (the command and its own arguments).
func splitGlobals(args []string) (globals, []string, error) {
	var g globals
	for len(args) > 0 {
		a := args[0]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		typed := a
		switch {
		case name == "vault":
			if !hasVal {
				if len(args) < 2 || strings.HasPrefix(args[1], "-") {
					return g, nil, usagef("--vault needs a folder: casevault --vault DIR [command]")
				}
				val, args = args[1], args[1:]
				if lookup(val) != nil {
					if _, err := os.Stat(val); err != nil {
						// "casevault --vault client list": the folder is missing.
						return g, nil, usagef("--vault needs a folder before the command, and %q is a command, not a folder: casevault --vault DIR %s",
							val, strings.Join(args, " "))
					}
				}
			}
			if val == "" {
				return g, nil, usagef("--vault needs a folder: casevault --vault DIR [command]")
			}
			g.vault, g.vaultSet = val, true
			typed = "--vault " + quoteArg(val)
		case name == "user" || name == "key-file":
			if !hasVal {
				if len(args) < 2 || strings.HasPrefix(args[1], "-") {
					return g, nil, usagef("--%s needs a value: casevault --%s %s [command]", name, name, map[string]string{"user": "NAME", "key-file": "PATH"}[name])
				}
				val, args = args[1], args[1:]
			}
			if name == "user" {
				if strings.TrimSpace(val) == "" {
					return g, nil, usagef("--user needs a user's name")
				}
				g.user, g.userSet = val, true
				typed = "--user " + quoteArg(val)
			} else {
				if val == "" {
					return g, nil, usagef("--key-file needs the path of the key file")
				}
				g.keyFile = val
				typed = "--key-file " + quoteArg(val)
			}
		case globalBool[name] != nil:
			v := true
			if hasVal {
				b, err := strconv.ParseBool(val)
				if err != nil {
					return g, nil, usagef("%s takes no value (or true/false), not %q", "--"+name, val)
				}
				v = b
			}
			globalBool[name](&g, v)
		default:
			return g, args, nil // --help, --version, or a flag for the command to refuse
		}
		g.given = append(g.given, typed)
		args = args[1:]
	}
	return g, args, nil
}

// Main is the whole program behind main.go: it takes all of argv (without
// the program name) and decides between the window and a command. With no
// command, or only --vault DIR, it calls window with the vault folder
// ("" = the default place); window is passed in so that the command line
// does not depend on the window's toolkit.
func Main(ctx context.Context, args []string, env Env, window func(dir string) error) int {
	g, rest, err := splitGlobals(args)
	if err == nil && len(rest) == 0 && len(g.given) > 0 && (!g.vaultSet || len(g.given) > 1) {
		err = usagef("%s needs a command after it, for example: casevault %s client list. Only --vault DIR may be given alone (it opens the window)",
			strings.Join(g.given, " "), strings.Join(g.given, " "))
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "casevault: "+human.EscapeText(err.Error()))
		fmt.Fprintln(env.Stderr, `Run "casevault --help" for usage.`)
		return ExitUsage
	}
	if len(rest) == 0 {
		if err := window(g.vault); err != nil {
			fmt.Fprintln(env.Stderr, "casevault:", err)
			return ExitError
		}
		return ExitOK
	}
	return runCommand(ctx, g, rest, env)
}

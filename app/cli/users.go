package cli

// People and permissions on the command line (issue 10): users, roles,
// the passphrase policy, and who may see a client or a matter.

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// keyFileMax bounds a key file read for --key-file: any file works as a
// key file, but reading a film into memory is not what was meant.
const keyFileMax = 16 << 20

// readKeyFile reads a key file for --key-file.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the key file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, keyFileMax+1))
	if err != nil {
		return nil, fmt.Errorf("reading the key file %s: %w", path, err)
	}
	if len(b) > keyFileMax {
		return nil, fmt.Errorf("the key file %s is larger than %s; a key file is a small file", path, human.Size(keyFileMax))
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("the key file %s is empty", path)
	}
	return b, nil
}

// writeNewKeyFile writes 64 random bytes to path (never over a file).
func writeNewKeyFile(path string) ([]byte, error) {
	kf := make([]byte, 64)
	if _, err := rand.Read(kf); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil, usagef("%s already exists; give a new file name for the key file (an existing file is never overwritten)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("writing the key file: %w", err)
	}
	_, err = f.Write(kf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("writing the key file: %w", err)
	}
	return kf, nil
}

func oneName(what string, pos []string) (string, error) {
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return "", usagef("give exactly one %s (in quotes if it has spaces)", what)
	}
	return pos[0], nil
}

func (r *runner) userAdd(args []string) error {
	fs := r.flags("user add")
	role := fs.String("role", "", "the user's role (casevault role list), required")
	kfPath := fs.String("new-key-file", "", "write a new key file at PATH that the user must present with their passphrase")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName("user name", pos)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*role) == "" {
		return usagef("user add needs --role ROLE (casevault role list shows them), e.g. casevault user add %s --role Paralegal", quoteArg(name))
	}
	return r.open(func(s *app.Session) error {
		var opts app.AddUserOptions
		if *kfPath != "" {
			if !s.CanDo(access.ManageUsers) {
				// Refused (and recorded) before a key file is written for nothing.
				_, err := s.AddUser(r.ctx, name, *role, opts)
				return err
			}
			kf, err := writeNewKeyFile(*kfPath)
			if err != nil {
				return err
			}
			opts.KeyFile = kf
		}
		one, err := s.AddUser(r.ctx, name, *role, opts)
		if err != nil {
			if *kfPath != "" {
				os.Remove(*kfPath)
			}
			return err
		}
		return r.showOneTime(name, one, "added", *kfPath)
	})
}

// showOneTime prints a one-time passphrase, the one passphrase casevault
// ever prints.
func (r *runner) showOneTime(name, one, what, kfPath string) error {
	var w strings.Builder
	fmt.Fprintf(&w, "User %s %s.\n\n", cell(name), what)
	fmt.Fprintf(&w, "ONE-TIME PASSPHRASE - shown only this once. Give it to %s in person:\n\n    %s\n\n", cell(name), one)
	fmt.Fprintf(&w, "At their first unlock they must choose their own passphrase:\n    casevault passwd --user %s%s\n", quoteArg(name), r.vaultFlag())
	if kfPath != "" {
		fmt.Fprintf(&w, "They also need the key file %s with their passphrase, every time (--key-file PATH).\n"+
			"Put it on their USB stick and delete any other copy; without it they cannot unlock.\n", cell(kfPath))
	}
	_, err := io.WriteString(r.env.Stdout, w.String())
	return err
}

func (r *runner) userList(args []string) error {
	fs := r.flags("user list")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		users, err := s.ListUsers(r.ctx)
		if err != nil {
			return err
		}
		return r.out(users, func(w io.Writer) {
			fmt.Fprintln(w, "NAME\tROLE\tSTATUS\tKEY FILE\tPASSPHRASE CHANGED")
			for _, u := range users {
				var st []string
				switch {
				case u.Removed:
					st = append(st, "removed")
				case u.MustChange:
					st = append(st, "must choose a passphrase")
				case u.Expired:
					st = append(st, "passphrase expired")
				default:
					st = append(st, "active")
				}
				if u.Owner {
					st = append(st, "owner")
				}
				if u.LockedFor > 0 {
					st = append(st, "locked for "+human.Duration(u.LockedFor))
				} else if u.Failures > 0 {
					st = append(st, human.Count(u.Failures, "wrong passphrase", "wrong passphrases"))
				}
				kf := "no"
				if u.KeyFile {
					kf = "yes"
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", cell(u.Name), cell(u.Role), strings.Join(st, ", "), kf, human.Date(u.PassChangedAt))
			}
		})
	})
}

func (r *runner) userRole(args []string) error {
	fs := r.flags("user role")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("give a user and a role: casevault user role NAME ROLE")
	}
	return r.open(func(s *app.Session) error {
		if err := s.SetUserRole(r.ctx, pos[0], pos[1]); err != nil {
			return err
		}
		return r.done(changed{Kind: "user", Name: pos[0], Change: "role " + pos[1]}, fmt.Sprintf("%s now has the role %s.", cell(pos[0]), cell(pos[1])))
	})
}

func (r *runner) userReset(args []string) error {
	fs := r.flags("user reset")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName("user name", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		one, err := s.ResetUserPassphrase(r.ctx, name)
		if err != nil {
			return err
		}
		return r.showOneTime(name, one, "has a new one-time passphrase (the old one no longer works)", "")
	})
}

func (r *runner) userUnlock(args []string) error {
	fs := r.flags("user unlock")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName("user name", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if err := s.ClearLockout(r.ctx, name); err != nil {
			return err
		}
		return r.done(changed{Kind: "user", Name: name, Change: "unlocked"}, fmt.Sprintf("%s can try their passphrase again now, without waiting.", cell(name)))
	})
}

func (r *runner) userRemove(args []string) error {
	fs := r.flags("user remove")
	rotate := fs.Bool("change-key", false, "also change the vault key, so a copy of the vault they may have taken cannot open what is written from now on")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	name, err := oneName("user name", pos)
	if err != nil {
		return err
	}
	return r.open(func(s *app.Session) error {
		if *rotate && s.CanDo(access.ManageUsers) && s.CanDo(access.RotateKey) {
			fmt.Fprintln(r.env.Stderr, "Removing the user and changing the vault key: everything in the vault is sealed again under a new key (this can take a while)...")
		}
		rep, err := s.RemoveUser(r.ctx, name, *rotate)
		if err != nil {
			return err
		}
		var w strings.Builder
		fmt.Fprintf(&w, "User %s removed: their passphrase no longer opens this vault. Their name stays in the audit trail.\n", cell(name))
		if !*rotate || rep == nil {
			fmt.Fprintf(&w, "A copy of the vault folder they may have made while they could unlock still opens with their old passphrase,\n"+
				"and so would this folder if they copied it back. To change the vault key as well:\n    casevault user remove %s --change-key%s\n"+
				"(or, since they are already removed, casevault key change%s)\n", quoteArg(name), r.vaultFlag(), r.vaultFlag())
		} else {
			r.rotationLines(&w, rep)
		}
		_, err = io.WriteString(r.env.Stdout, w.String())
		return err
	})
}

// rotationLines says what a change of the vault key did, and shows a new
// recovery key once.
func (r *runner) rotationLines(w io.Writer, rep *app.RotationReport) {
	fmt.Fprintf(w, "The vault key was changed (%s): everything was sealed again under the new key.\n", human.Duration(rep.Took))
	fmt.Fprintln(w, "Old copies of the vault folder still open with the passphrases that opened them, but they hold nothing written from now on.")
	if len(rep.Users) > 0 {
		fmt.Fprintf(w, "Who can unlock now: %s.\n", cell(strings.Join(rep.Users, ", ")))
	}
	if rep.BackupNote != "" {
		fmt.Fprintln(w, cell(rep.BackupNote))
	}
	if rep.NewRecoveryKey != "" {
		fmt.Fprintf(w, "\nNEW RECOVERY KEY - shown only this once. The old recovery key no longer opens this vault. Write it on paper now:\n\n    %s\n\n", rep.NewRecoveryKey)
	} else {
		fmt.Fprintln(w, "Your recovery key still works.")
	}
}

// keyChange: "casevault key change" changes the vault key without removing
// anyone (after a user was removed without --change-key).
func (r *runner) keyChange(args []string) error {
	fs := r.flags("key change")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("key change takes no arguments, not %q", pos[0])
	}
	return r.open(func(s *app.Session) error {
		if !s.CanDo(access.RotateKey) { // the refusal (recorded) before the "this can take a while"
			_, err := s.RotateDataKey(r.ctx)
			return err
		}
		fmt.Fprintln(r.env.Stderr, "Changing the vault key: everything in the vault is sealed again under a new key (this can take a while)...")
		rep, err := s.RotateDataKey(r.ctx)
		if err != nil {
			return err
		}
		var w strings.Builder
		r.rotationLines(&w, rep)
		_, err = io.WriteString(r.env.Stdout, w.String())
		return err
	})
}

// --- roles

// roleShow is "role list" and "role show NAME".
func (r *runner) roleShow(sub string, rest []string) error {
	fs := r.flags("role " + sub)
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if sub == "show" && len(pos) != 1 {
		return usagef("give one role: casevault role show NAME")
	}
	if sub == "list" && len(pos) > 0 {
		return usagef("role list takes no arguments, not %q (to see one role: casevault role show NAME)", pos[0])
	}
	return r.open(func(s *app.Session) error {
		roles, err := s.ListRoles(r.ctx)
		if err != nil {
			return err
		}
		if sub == "show" {
			ro, ok := findRole(roles, pos[0])
			if !ok {
				return unknownRole(pos[0], roles)
			}
			roles = []access.Role{ro}
		}
		return r.out(roles, func(w io.Writer) {
			fmt.Fprint(w, "ROLE")
			for _, k := range access.Kinds {
				fmt.Fprintf(w, "\t%s", strings.ToUpper(string(k)))
			}
			fmt.Fprintln(w)
			for _, ro := range roles {
				fmt.Fprint(w, cell(ro.Name))
				if ro.Builtin {
					fmt.Fprint(w, " (built-in)")
				}
				for _, k := range access.Kinds {
					fmt.Fprintf(w, "\t%s", ro.Perms.Level(k))
				}
				fmt.Fprintln(w)
			}
		})
	})
}

// roleSave is "role add NAME" and "role set NAME".
func (r *runner) roleSave(sub string, rest []string) error {
	fs := r.flags("role " + sub)
	from := ""
	if sub == "add" {
		fs.StringVar(&from, "from", "", "start from the levels of this `ROLE` (default: everything denied)")
	}
	levels := map[access.Kind]*string{}
	for _, k := range access.Kinds {
		levels[k] = fs.String(string(k), "", "deny, read or edit for "+k.Label())
	}
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != 1 || strings.TrimSpace(pos[0]) == "" {
		return usagef("give one role name: casevault role %s NAME --KIND LEVEL", sub)
	}
	set := access.Perms{}
	for k, v := range levels {
		if *v == "" {
			continue
		}
		l, err := access.ParseLevel(*v)
		if err != nil {
			return usagef("--%s: %v", k, err)
		}
		set[k] = l
	}
	if sub == "set" && len(set) == 0 {
		return usagef("role set needs at least one --KIND LEVEL, e.g. --notes read")
	}
	return r.open(func(s *app.Session) error {
		roles, err := s.ListRoles(r.ctx)
		if err != nil {
			return err
		}
		ro := access.Role{Name: pos[0], Perms: access.Perms{}}
		existing, exists := findRole(roles, pos[0])
		switch {
		case sub == "add" && exists:
			return fmt.Errorf("%w: there is already a role %s; change it with casevault role set", app.ErrInvalid, existing.Name)
		case sub == "set" && !exists:
			return unknownRole(pos[0], roles)
		case sub == "set":
			ro = existing
			ro.Perms = existing.Perms.Clone()
		case from != "":
			base, ok := findRole(roles, from)
			if !ok {
				return unknownRole(from, roles)
			}
			ro.Perms = base.Perms.Clone()
		}
		for k, l := range set {
			ro.Perms[k] = l
		}
		ro.Builtin = false
		if err := s.SaveRole(r.ctx, ro); err != nil {
			return err
		}
		verb := "added"
		if sub == "set" {
			verb = "changed"
		}
		return r.done(changed{Kind: "role", Name: ro.Name, Change: verb}, fmt.Sprintf("Role %s %s.", cell(ro.Name), verb))
	})
}

// roleDelete is "role delete NAME".
func (r *runner) roleDelete(rest []string) error {
	fs := r.flags("role delete")
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one role: casevault role delete NAME")
	}
	return r.open(func(s *app.Session) error {
		if err := s.DeleteRole(r.ctx, pos[0]); err != nil {
			return err
		}
		return r.done(changed{Kind: "role", Name: pos[0], Change: "deleted"}, fmt.Sprintf("Role %s deleted.", cell(pos[0])))
	})
}

func findRole(roles []access.Role, name string) (access.Role, bool) {
	for _, ro := range roles {
		if strings.EqualFold(ro.Name, strings.TrimSpace(name)) {
			return ro, true
		}
	}
	return access.Role{}, false
}

func unknownRole(name string, roles []access.Role) error {
	names := make([]string, len(roles))
	for i, ro := range roles {
		names[i] = ro.Name
	}
	sort.Strings(names)
	return fmt.Errorf("%w: there is no role %q; the roles are: %s", app.ErrInvalid, name, strings.Join(names, ", "))
}

// --- policy

func (r *runner) policyShow(args []string) error {
	fs := r.flags("policy show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("policy show takes no arguments, not %q", pos[0])
	}
	return r.open(func(s *app.Session) error {
		p, err := s.PassPolicy(r.ctx)
		if err != nil {
			return err
		}
		return r.out(p, func(w io.Writer) { policyLines(w, p) })
	})
}

func (r *runner) policySet(args []string) error {
	fs := r.flags("policy set")
	minLen := fs.Int("min-length", 0, "shortest passphrase, in characters")
	classes := fs.Int("classes", 0, "how many character classes a passphrase must mix (0: no rule)")
	expiry := fs.Int("expiry-days", 0, "days before a passphrase must be changed (0: never)")
	reuse := fs.Int("no-reuse", 0, "a new passphrase may not be one of the user's last N (0: no rule)")
	lockout := fs.Int("lockout-after", 0, "wrong passphrases before a growing wait")
	keyFile := fs.String("require-key-file", "", "true: every user needs a key file with their passphrase")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("policy set takes only flags, not %q (\"casevault help policy set\")", pos[0])
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if len(given) == 0 || (len(given) == len(onlyGlobal(given)) && !anyPolicyFlag(given)) {
		return usagef("policy set needs at least one setting, e.g. --min-length 14 (\"casevault policy --help\")")
	}
	var req bool
	if given["require-key-file"] {
		switch strings.ToLower(*keyFile) {
		case "true", "yes", "on", "1":
			req = true
		case "false", "no", "off", "0":
		default:
			return usagef("--require-key-file takes true or false, not %q", *keyFile)
		}
	}
	return r.open(func(s *app.Session) error {
		p, err := s.PassPolicy(r.ctx)
		if err != nil {
			return err
		}
		set := func(name string, dst *int, v int) {
			if given[name] {
				*dst = v
			}
		}
		set("min-length", &p.MinLength, *minLen)
		set("classes", &p.MinClasses, *classes)
		set("expiry-days", &p.ExpiryDays, *expiry)
		set("no-reuse", &p.NoReuse, *reuse)
		set("lockout-after", &p.LockoutAfter, *lockout)
		if given["require-key-file"] {
			p.RequireKeyFile = req
		}
		if err := s.SetPassPolicy(r.ctx, p); err != nil {
			return err
		}
		return r.out(p, func(w io.Writer) {
			fmt.Fprintln(w, "Passphrase policy changed:")
			policyLines(w, p)
		})
	})
}

var globalFlagNames = map[string]bool{"vault": true, "json": true, "passphrase-stdin": true, "recovery": true, "read-only": true, "user": true, "key-file": true}

func onlyGlobal(given map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k := range given {
		if globalFlagNames[k] {
			out[k] = true
		}
	}
	return out
}

func anyPolicyFlag(given map[string]bool) bool {
	for k := range given {
		if !globalFlagNames[k] {
			return true
		}
	}
	return false
}

func policyLines(w io.Writer, p app.PassPolicy) {
	fmt.Fprintf(w, "Shortest passphrase\t%s\n", human.Count(p.MinLength, "character", "characters"))
	if p.MinClasses > 0 {
		fmt.Fprintf(w, "Character classes\tat least %d of lower case, upper case, digits, others\n", p.MinClasses)
	} else {
		fmt.Fprintln(w, "Character classes\tno rule")
	}
	if p.ExpiryDays > 0 {
		fmt.Fprintf(w, "Expiry\tafter %s\n", human.Count(p.ExpiryDays, "day", "days"))
	} else {
		fmt.Fprintln(w, "Expiry\tnever")
	}
	if p.NoReuse > 0 {
		fmt.Fprintf(w, "No reuse of\tthe last %s\n", human.Count(p.NoReuse, "passphrase", "passphrases"))
	} else {
		fmt.Fprintln(w, "No reuse of\tno rule")
	}
	fmt.Fprintf(w, "Wait after\t%s\n", human.Count(p.LockoutAfter, "wrong passphrase", "wrong passphrases"))
	kf := "not required"
	if p.RequireKeyFile {
		kf = "required for every user"
	}
	fmt.Fprintf(w, "Key file\t%s\n", kf)
}

// --- security classes

// classCmd is "client|matter restrict|wall|open ID [--users a,b]".
func (r *runner) classCmd(kind, sub string, args []string) error {
	class := map[string]string{"restrict": app.ClassRestricted, "wall": app.ClassWalled, "open": app.ClassGeneral}[sub]
	fs := r.flags(kind + " " + sub)
	users := fs.String("users", "", "user names, separated by commas")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, err := oneID(kind, pos)
	if err != nil {
		return err
	}
	var names []string
	for _, n := range strings.Split(*users, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	switch {
	case class == app.ClassGeneral && len(names) > 0:
		return usagef("%s open takes no --users: everyone whose role allows sees it again", kind)
	case class != app.ClassGeneral && len(names) == 0:
		return usagef("%s %s needs --users NAME[,NAME...]", kind, sub)
	}
	return r.open(func(s *app.Session) error {
		if err := s.SetSecurityClass(r.ctx, kind, id, class, names); err != nil {
			return err
		}
		var msg string
		switch class {
		case app.ClassRestricted:
			msg = fmt.Sprintf("Only %s and the owner can see %s %d now.", cell(strings.Join(names, ", ")), kind, id)
		case app.ClassWalled:
			msg = fmt.Sprintf("%s %d is behind an ethical wall: %s cannot see it; everyone else whose role allows can.", human.Capitalize(kind), id, cell(strings.Join(names, ", ")))
		default:
			msg = fmt.Sprintf("Everyone whose role allows can see %s %d again.", kind, id)
		}
		return r.done(changed{Kind: kind, ID: id, Change: class}, msg)
	})
}

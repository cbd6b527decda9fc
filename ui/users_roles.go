package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"casevault/app"
	"casevault/app/access"
	"casevault/app/human"
)

// levelWords are the three choices of a role for a kind of record.
var levelWords = []string{"No access", "See", "See and change"}

func levelWord(l access.Level) string {
	switch l {
	case access.Edit:
		return levelWords[2]
	case access.Read:
		return levelWords[1]
	}
	return levelWords[0]
}

func wordLevel(w string) access.Level {
	switch w {
	case levelWords[2]:
		return access.Edit
	case levelWords[1]:
		return access.Read
	}
	return access.Deny
}

// rolesEditor is the Roles tab: the built-in roles to read, custom roles
// to make, change and delete, as a grid of kinds × no access / see / see
// and change.
type rolesEditor struct {
	us     *usersScreen
	obj    fyne.CanvasObject
	pick   *widget.Select
	grid   *fyne.Container
	radios map[access.Kind]*widget.RadioGroup
	note   *widget.Label
	saveB  *widget.Button
	delB   *widget.Button
	msg    *widget.Label
	cur    *access.Role // the role shown (a copy)
}

func newRolesEditor(us *usersScreen) *rolesEditor {
	u := us.u
	r := &rolesEditor{us: us, grid: container.New(layout.NewFormLayout()), radios: map[access.Kind]*widget.RadioGroup{},
		note: hint(""), msg: errLabel()}
	r.pick = widget.NewSelect(nil, func(name string) { u.touch(); r.show(name) })
	newB := u.button("New role…", theme.ContentAddIcon(), r.newRole)
	r.saveB = u.button("Save role", theme.DocumentSaveIcon(), r.save)
	r.saveB.Importance = widget.HighImportance
	r.delB = u.button("Delete role", theme.DeleteIcon(), r.delete)
	for _, k := range access.Kinds {
		rg := widget.NewRadioGroup(levelWords, func(string) { u.touch() })
		rg.Horizontal = true
		rg.Required = true
		r.radios[k] = rg
		r.grid.Add(bold(human0(k.Label())))
		r.grid.Add(rg)
	}
	r.obj = container.NewVScroll(container.NewPadded(container.NewVBox(
		hint("A role says, for each kind of record, whether people with it see nothing, see it, or see and change it. "+
			"The built-in roles cannot be changed; make a custom role (New role…) when none fits."),
		container.NewBorder(nil, nil, bold("Role"), newB, r.pick),
		r.note,
		r.grid,
		r.msg,
		container.NewHBox(r.saveB, r.delB),
	)))
	r.show("")
	return r
}

// human0 capitalises a kind's label for the grid.
func human0(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// refresh reloads the role names after the users screen read them.
func (r *rolesEditor) refresh() {
	var names []string
	for _, x := range r.us.roles {
		names = append(names, x.Name)
	}
	r.pick.Options = names
	cur := ""
	if r.cur != nil {
		cur = r.cur.Name
	}
	r.pick.Refresh()
	if cur == "" && len(names) > 0 {
		cur = names[0]
	}
	r.pick.SetSelected(cur)
	r.show(cur)
}

func (r *rolesEditor) find(name string) *access.Role {
	for i := range r.us.roles {
		if strings.EqualFold(r.us.roles[i].Name, name) {
			x := r.us.roles[i]
			perms := map[access.Kind]access.Level{}
			for k, v := range x.Perms {
				perms[k] = v
			}
			x.Perms = perms
			return &x
		}
	}
	return nil
}

// show puts a role in the grid: read-only for a built-in one.
func (r *rolesEditor) show(name string) {
	x := r.find(name)
	if x == nil && r.cur != nil && strings.EqualFold(r.cur.Name, name) {
		x = r.cur // a new role, not saved yet
	}
	r.cur = x
	setMsg(r.msg, "")
	if x == nil {
		r.note.SetText("")
		for _, rg := range r.radios {
			rg.SetSelected("")
			rg.Disable()
		}
		r.saveB.Disable()
		r.delB.Disable()
		return
	}
	for _, k := range access.Kinds {
		rg := r.radios[k]
		rg.SetSelected(levelWord(x.Perms[k]))
		if x.Builtin {
			rg.Disable()
		} else {
			rg.Enable()
		}
	}
	if x.Builtin {
		r.note.SetText(x.Name + " is a built-in role: it cannot be changed. To give someone slightly different rights, " +
			"make a new role with New role… (it starts as a copy of this one).")
		r.saveB.Disable()
		r.delB.Disable()
	} else {
		r.note.SetText("A custom role: change what it allows, then Save role. The change applies to everyone with this role " +
			"from their next action.")
		r.saveB.Enable()
		r.delB.Enable()
	}
}

// newRole asks a name and starts a custom role as a copy of the one shown.
func (r *rolesEditor) newRole() {
	u := r.us.u
	name := u.newEntry("e.g. Bookkeeper")
	dialog.ShowCustomConfirm("New role", "Create", "Cancel", container.NewVBox(
		hint("The new role starts as a copy of the role shown; change it, then Save role."), name),
		func(ok bool) {
			u.touch()
			n := strings.TrimSpace(name.Text)
			if !ok || n == "" {
				return
			}
			if r.find(n) != nil {
				setMsg(r.msg, fmt.Sprintf("There is already a role %q.", n))
				return
			}
			perms := map[access.Kind]access.Level{}
			if r.cur != nil {
				for k, v := range r.cur.Perms {
					perms[k] = v
				}
			}
			r.cur = &access.Role{Name: n, Perms: perms}
			r.pick.Options = append(r.pick.Options, n)
			r.pick.SetSelected(n)
			r.show(n)
			r.note.SetText("A new role, not saved yet: choose what it allows, then Save role.")
		}, u.w)
}

// role is the grid as a role.
func (r *rolesEditor) role() access.Role {
	x := access.Role{Name: r.cur.Name, Perms: map[access.Kind]access.Level{}}
	for _, k := range access.Kinds {
		x.Perms[k] = wordLevel(r.radios[k].Selected)
	}
	return x
}

func (r *rolesEditor) save() {
	u, s := r.us.u, r.us.u.sess
	if r.cur == nil || r.cur.Builtin {
		return
	}
	x := r.role()
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.SaveRole(ctx, x) },
		func(_ struct{}, err error) {
			if err != nil {
				setMsg(r.msg, "The role was not saved: "+app.Message(err))
				return
			}
			r.msg.Importance = widget.SuccessImportance
			setMsg(r.msg, "Saved.")
			r.msg.Importance = widget.DangerImportance
			r.cur = &x
			r.us.reload("")
		})
}

func (r *rolesEditor) delete() {
	u, s := r.us.u, r.us.u.sess
	if r.cur == nil || r.cur.Builtin {
		return
	}
	name := r.cur.Name
	dialog.ShowConfirm("Delete role", fmt.Sprintf("Delete the role %s? A role someone still has cannot be deleted: give them another role first.", name),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.DeleteRole(ctx, name) },
				func(_ struct{}, err error) {
					if err != nil {
						setMsg(r.msg, "The role was not deleted: "+app.Message(err))
						return
					}
					r.cur = nil
					r.us.reload("")
				})
		}, u.w)
}

// policyEditor is the Passphrase rules tab: the owner's policy for every
// user's passphrase, unlock attempts and key files.
type policyEditor struct {
	us      *usersScreen
	obj     fyne.CanvasObject
	cur     app.PassPolicy
	minLen  *widget.Select
	classes *widget.Select
	expiry  *widget.Select
	reuse   *widget.Select
	lockout *widget.Select
	keyFile *widget.Check
	saveB   *widget.Button
	msg     *widget.Label
}

var (
	minLenChoices  = []int{8, 10, 12, 14, 16, 20}
	expiryChoices  = []int{0, 30, 60, 90, 180, 365}
	reuseChoices   = []int{0, 3, 5, 10}
	lockoutChoices = []int{3, 5, 10}
	classChoices   = []int{0, 2, 3, 4}
)

func newPolicyEditor(us *usersScreen) *policyEditor {
	u := us.u
	p := &policyEditor{us: us, cur: app.DefaultPassPolicy(), msg: wrapped("")}
	words := func(ns []int, f func(int) string) []string {
		var out []string
		for _, n := range ns {
			out = append(out, f(n))
		}
		return out
	}
	p.minLen = widget.NewSelect(words(minLenChoices, func(n int) string { return fmt.Sprintf("%d characters", n) }), nil)
	p.expiry = widget.NewSelect(words(expiryChoices, func(n int) string {
		if n == 0 {
			return "never (recommended)"
		}
		return "after " + human.Count(n, "day", "days")
	}), nil)
	p.reuse = widget.NewSelect(words(reuseChoices, func(n int) string {
		if n == 0 {
			return "allowed"
		}
		return fmt.Sprintf("not one of the last %d", n)
	}), nil)
	p.lockout = widget.NewSelect(words(lockoutChoices, func(n int) string { return fmt.Sprintf("after %d wrong passphrases", n) }), nil)
	p.classes = widget.NewSelect(words(classChoices, func(n int) string {
		if n == 0 {
			return "any (recommended)"
		}
		return fmt.Sprintf("at least %d kinds of small letters, capitals, digits, symbols", n)
	}), nil)
	p.keyFile = widget.NewCheck("Everyone needs a key file as well as the passphrase", nil)
	p.saveB = u.button("Save the rules", theme.DocumentSaveIcon(), p.save)
	p.saveB.Importance = widget.HighImportance
	p.load()
	sess := u.sess
	run(u, func(ctx context.Context) (app.PassPolicy, error) { return sess.PassPolicy(ctx) }, func(pp app.PassPolicy, err error) {
		if err != nil {
			p.msg.SetText("The rules could not be read: " + app.Message(err))
			return
		}
		p.cur = pp
		p.load()
	})
	p.obj = container.NewVScroll(container.NewPadded(container.NewVBox(
		hint("These rules apply to every person's passphrase, yours included, the next time it is chosen or changed."),
		container.New(layout.NewFormLayout(),
			bold("Shortest passphrase"), p.minLen,
			bold("Characters"), p.classes,
			bold("Passphrases expire"), p.expiry,
			bold("Reusing an old passphrase"), p.reuse,
			bold("Make a person wait"), p.lockout,
			bold("Key file"), p.keyFile,
		),
		hint("Expiry is off by default: forced changes make people choose weaker passphrases (NIST SP 800-63B). "+
			"Turn it on only if your firm or insurer requires it; a person whose passphrase expired sees only the change screen at their next unlock. "+
			"After the wrong passphrases allowed, each new try waits a little longer; you can clear a person's wait on the People tab. "+
			"Requiring a key file applies to people added or reset from now on."),
		container.NewHBox(p.saveB), p.msg,
	)))
	return p
}

// load puts the policy in the controls (the nearest choice of each).
func (p *policyEditor) load() {
	pick := func(sel *widget.Select, ns []int, v int) {
		best := 0
		for i, n := range ns {
			if n <= v {
				best = i
			}
		}
		sel.SetSelectedIndex(best)
	}
	pick(p.minLen, minLenChoices, p.cur.MinLength)
	pick(p.expiry, expiryChoices, p.cur.ExpiryDays)
	pick(p.reuse, reuseChoices, p.cur.NoReuse)
	pick(p.lockout, lockoutChoices, p.cur.LockoutAfter)
	pick(p.classes, classChoices, p.cur.MinClasses)
	p.keyFile.SetChecked(p.cur.RequireKeyFile)
}

func (p *policyEditor) policy() app.PassPolicy {
	n := p.cur
	n.MinLength = minLenChoices[max(p.minLen.SelectedIndex(), 0)]
	n.ExpiryDays = expiryChoices[max(p.expiry.SelectedIndex(), 0)]
	n.NoReuse = reuseChoices[max(p.reuse.SelectedIndex(), 0)]
	n.LockoutAfter = lockoutChoices[max(p.lockout.SelectedIndex(), 0)]
	n.MinClasses = classChoices[max(p.classes.SelectedIndex(), 0)]
	n.RequireKeyFile = p.keyFile.Checked
	return n
}

func (p *policyEditor) save() {
	u, s := p.us.u, p.us.u.sess
	n := p.policy()
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.SetPassPolicy(ctx, n) },
		func(_ struct{}, err error) {
			if err != nil {
				p.msg.Importance = widget.DangerImportance
				p.msg.SetText("The rules were not saved: " + app.Message(err))
			} else {
				p.cur = n
				p.msg.Importance = widget.SuccessImportance
				p.msg.SetText("Saved. They apply from the next passphrase anyone chooses.")
			}
			p.msg.Refresh()
		})
}

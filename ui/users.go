package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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

// usersScreen is the owner's (or a users: edit role's) Users screen, in
// three tabs: the people, the roles, the passphrase policy.
type usersScreen struct {
	u      *UI
	obj    fyne.CanvasObject
	tabs   *container.AppTabs
	users  []app.UserSummary
	roles  []access.Role
	table  *widget.Table
	sel    int // selected row of users; -1 = none
	detail *fyne.Container
	count  *widget.Label
	msg    *widget.Label

	rolesTab  *rolesEditor
	policyTab *policyEditor

	// the last one-time passphrase dialog's text (tests), and the last
	// recovery key shown after a key change
	oneTime     string
	newKey      string
	rotating    bool
	keyFileSave func(fyne.URIWriteCloser) // the key file dialog's save (tests)
}

var userCols = []struct {
	title string
	width float32
}{{"Name", 160}, {"Role", 110}, {"Status", 230}, {"Key file", 75}, {"Passphrase changed", 160}, {"Unlock attempts", 190}}

func newUsersScreen(u *UI) *usersScreen {
	us := &usersScreen{u: u, sel: -1, detail: container.NewStack(), count: quiet("Loading…"), msg: errLabel()}
	us.table = widget.NewTable(func() (int, int) { return len(us.users), len(userCols) },
		func() fyne.CanvasObject { return line("", false) },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(us.users) {
				o.(*widget.Label).SetText(userCell(us.users[id.Row], id.Col, u.now()))
			}
		})
	us.table.ShowHeaderRow = true
	us.table.CreateHeader = func() fyne.CanvasObject { return bold("") }
	us.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(userCols) {
			o.(*widget.Label).SetText(userCols[id.Col].title)
		}
	}
	for i, c := range userCols {
		us.table.SetColumnWidth(i, c.width)
	}
	us.table.OnSelected = func(id widget.TableCellID) {
		u.touch()
		if id.Row >= 0 && id.Row < len(us.users) && id.Row != us.sel {
			us.sel = id.Row
			us.showDetail()
		}
	}
	addB := u.button("Add user…", theme.ContentAddIcon(), us.addUser)
	addB.Importance = widget.HighImportance
	people := container.NewBorder(
		container.NewVBox(
			container.NewBorder(nil, nil, nil, addB,
				hint("Everyone who uses this vault has their own name and passphrase; their role says what they may see and change. "+
					"Click a person to change their role, reset their passphrase, see what they did or remove them.")),
			us.count, us.msg),
		nil, nil, nil,
		container.NewVSplit(us.table, container.NewVScroll(container.NewPadded(us.detail))))
	us.rolesTab = newRolesEditor(us)
	us.policyTab = newPolicyEditor(us)
	us.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("People", theme.AccountIcon(), people),
		container.NewTabItemWithIcon("Roles", theme.GridIcon(), us.rolesTab.obj),
		container.NewTabItemWithIcon("Passphrase rules", theme.SettingsIcon(), us.policyTab.obj),
	)
	us.obj = container.NewPadded(container.NewBorder(heading("Users"), nil, nil, nil, us.tabs))
	us.showDetail()
	us.reload("")
	return us
}

// fitColumns sizes the users table's columns to their widest cell and
// title: nothing is cut off, and no column is wider than it needs.
func (us *usersScreen) fitColumns() {
	titles := make([]string, len(userCols))
	for i, c := range userCols {
		titles[i] = c.title
	}
	now := us.u.now()
	for i, w := range fitWidths(titles, len(us.users), func(r, c int) string { return userCell(us.users[r], c, now) }) {
		us.table.SetColumnWidth(i, w)
	}
}

// userCell is one cell of the users table.
func userCell(x app.UserSummary, col int, now time.Time) string {
	switch col {
	case 0:
		return x.Name
	case 1:
		return x.Role
	case 2:
		switch {
		case x.Removed:
			return "removed"
		case x.MustChange:
			return "must choose a passphrase"
		case x.Expired:
			return "passphrase expired"
		}
		return "active"
	case 3:
		if x.KeyFile {
			return "yes"
		}
		return "no"
	case 4:
		if x.PassChangedAt.IsZero() {
			return "—"
		}
		return human.Time(x.PassChangedAt)
	}
	switch {
	case x.LockedFor > 0:
		return fmt.Sprintf("%d wrong: must wait %s", x.Failures, human.Duration(x.LockedFor))
	case x.Failures > 0:
		return human.Count(x.Failures, "wrong attempt", "wrong attempts")
	}
	return "—"
}

// reload reads the users and roles again; then selects name when not "".
func (us *usersScreen) reload(name string) {
	u, s := us.u, us.u.sess
	type both struct {
		users []app.UserSummary
		roles []access.Role
	}
	run(u, func(ctx context.Context) (both, error) {
		users, err := s.ListUsers(ctx)
		if err != nil {
			return both{}, err
		}
		roles, err := s.ListRoles(ctx)
		return both{users, roles}, err
	}, func(b both, err error) {
		if err != nil {
			us.count.SetText("The users could not be read: " + app.Message(err))
			return
		}
		us.users, us.roles = b.users, b.roles
		us.fitColumns()
		active := 0
		for _, x := range b.users {
			if !x.Removed {
				active++
			}
		}
		us.count.SetText(human.Count(active, "person uses", "people use") + " this vault.")
		us.sel = -1
		us.table.UnselectAll()
		for i, x := range us.users {
			if name != "" && strings.EqualFold(x.Name, name) {
				us.sel = i
				us.table.Select(widget.TableCellID{Row: i, Col: 0})
			}
		}
		us.table.Refresh()
		us.showDetail()
		us.rolesTab.refresh()
	})
}

// roleNames are the roles a user can be given (every role but Owner:
// the vault has one owner, the person who created it).
func (us *usersScreen) roleNames() []string {
	var out []string
	for _, r := range us.roles {
		if !access.IsOwnerRole(r.Name) {
			out = append(out, r.Name)
		}
	}
	return out
}

// showDetail shows what can be done for the selected user.
func (us *usersScreen) showDetail() {
	u := us.u
	if us.sel < 0 || us.sel >= len(us.users) {
		us.setDetail(quiet("Choose a person above."))
		return
	}
	x := us.users[us.sel]
	me := strings.EqualFold(x.Name, u.sess.User().Name)
	owner := x.Owner
	body := container.NewVBox(bold(x.Name))
	if x.Removed {
		body.Add(quiet("Removed: their passphrase no longer opens this vault. What they did stays in the audit trail."))
		body.Add(container.NewHBox(u.button("Activity report…", theme.DocumentIcon(), func() { us.u.activityReport(x.Name) })))
		us.setDetail(body)
		return
	}
	roleSel := widget.NewSelect(us.roleNames(), nil)
	roleSel.SetSelected(x.Role)
	roleB := u.button("Change role", theme.ConfirmIcon(), func() { us.setRole(x.Name, roleSel.Selected) })
	roleSel.OnChanged = func(r string) {
		if r == x.Role {
			roleB.Disable()
		} else {
			roleB.Enable()
		}
	}
	roleB.Disable()
	resetB := u.button("Reset passphrase…", theme.ViewRefreshIcon(), func() { us.resetPass(x.Name) })
	clearB := u.button("Clear lockout", theme.ContentUndoIcon(), func() { us.clearLockout(x.Name) })
	if x.Failures == 0 && x.LockedFor == 0 {
		clearB.Disable()
	}
	reportB := u.button("Activity report…", theme.DocumentIcon(), func() { us.u.activityReport(x.Name) })
	removeB := u.button("Remove…", theme.DeleteIcon(), func() { us.confirmRemove(x.Name) })
	removeB.Importance = widget.DangerImportance
	if owner || me {
		// The owner stays: the vault has one, and nobody removes themself.
		body.Add(quiet("The vault's owner: may do everything, and is the only one who can add and remove people unless a role allows it."))
		body.Add(container.NewHBox(reportB))
		us.setDetail(body)
		return
	}
	body.Add(container.New(layout.NewFormLayout(),
		bold("Role"), container.NewBorder(nil, nil, nil, roleB, roleSel),
	))
	body.Add(hint("Reset passphrase gives them a new one-time passphrase (for a forgotten passphrase or a lost key file). " +
		"Clear lockout lets them try again at once after too many wrong passphrases."))
	body.Add(container.NewHBox(resetB, clearB, reportB, layout.NewSpacer(), removeB))
	us.setDetail(body)
}

func (us *usersScreen) setDetail(o fyne.CanvasObject) {
	us.detail.Objects = []fyne.CanvasObject{o}
	us.detail.Refresh()
}

// done is the common end of a change: a message, or the list again.
func (us *usersScreen) done(name string, err error, what string) bool {
	if err != nil {
		setMsg(us.msg, what+": "+app.Message(err))
		return false
	}
	setMsg(us.msg, "")
	us.reload(name)
	return true
}

func (us *usersScreen) setRole(name, role string) {
	u, s := us.u, us.u.sess
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.SetUserRole(ctx, name, role) },
		func(_ struct{}, err error) { us.done(name, err, "The role was not changed") })
}

func (us *usersScreen) clearLockout(name string) {
	u, s := us.u, us.u.sess
	run(u, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.ClearLockout(ctx, name) },
		func(_ struct{}, err error) { us.done(name, err, "The lockout was not cleared") })
}

// addUser asks for the name, the role and whether a key file is needed,
// adds the user, and shows their one-time passphrase.
func (us *usersScreen) addUser() {
	u := us.u
	name := u.newEntry("e.g. Maria Lopez")
	roles := us.roleNames()
	role := widget.NewSelect(roles, nil)
	for _, r := range roles {
		if r == "Paralegal" {
			role.SetSelected(r)
		}
	}
	if role.Selected == "" && len(roles) > 0 {
		role.SetSelected(roles[0])
	}
	kf := widget.NewCheck("Needs a key file as well as the passphrase", nil)
	if us.policyTab.cur.RequireKeyFile {
		kf.SetChecked(true)
		kf.Disable()
	}
	errMsg := errLabel()
	summary := hint(roleSummary(us.roles, role.Selected))
	var d dialog.Dialog
	addB := u.button("Add", theme.ContentAddIcon(), nil)
	addB.Importance = widget.HighImportance
	submit := func() {
		n := strings.TrimSpace(name.Text)
		if n == "" {
			setMsg(errMsg, "Type the person's name.")
			return
		}
		if role.Selected == "" {
			setMsg(errMsg, "Choose a role.")
			return
		}
		addB.Disable()
		s, r, withKF := u.sess, role.Selected, kf.Checked
		run(u, func(ctx context.Context) (added, error) {
			var a added
			if withKF {
				b, err := app.NewKeyFile()
				if err != nil {
					return a, err
				}
				a.keyFile = b
			}
			p, err := s.AddUser(ctx, n, r, app.AddUserOptions{KeyFile: a.keyFile})
			a.pass = p
			return a, err
		}, func(a added, err error) {
			addB.Enable()
			if err != nil {
				setMsg(errMsg, app.Message(err))
				return
			}
			d.Hide()
			us.reload(n)
			us.showOneTime(n, a.pass, a.keyFile, false)
		})
	}
	addB.OnTapped = func() { u.touch(); submit() }
	name.OnSubmitted = func(string) { submit() }
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	body := container.NewVBox(
		container.New(layout.NewFormLayout(), bold("Name"), name, bold("Role"), role),
		kf,
		hint("A key file is a second factor: a file (on a USB stick) that must be there with the passphrase, "+
			"so a stolen laptop and a guessed passphrase are not enough. You save it next, and give it to them."),
		summary,
		errMsg,
		container.NewHBox(layout.NewSpacer(), cancel, addB),
	)
	role.OnChanged = func(r string) { summary.SetText(roleSummary(us.roles, r)) }
	d = dialog.NewCustomWithoutButtons("Add a user", container.NewStack(&widthBox{width: 480}, body), u.w)
	d.Show()
	u.w.Canvas().Focus(name)
}

type added struct {
	pass    string
	keyFile []byte
}

// roleSummary says in a line what a role may do.
func roleSummary(roles []access.Role, name string) string {
	for _, r := range roles {
		if r.Name != name {
			continue
		}
		var edit, read []string
		for _, k := range access.Kinds {
			switch r.Perms[k] {
			case access.Edit:
				edit = append(edit, k.Label())
			case access.Read:
				read = append(read, k.Label())
			}
		}
		var parts []string
		if len(edit) > 0 {
			parts = append(parts, "changes "+strings.Join(edit, ", "))
		}
		if len(read) > 0 {
			parts = append(parts, "only sees "+strings.Join(read, ", "))
		}
		if len(parts) == 0 {
			return "A " + name + " sees nothing."
		}
		return "A " + name + " " + strings.Join(parts, "; ") + "; nothing else."
	}
	return ""
}

// showOneTime shows a new user's (or a reset) one-time passphrase, once,
// with a Copy button and the words to hand it over; and the key file to
// save when there is one (the dialog stays until it is saved).
func (us *usersScreen) showOneTime(name, pass string, keyFile []byte, reset bool) {
	u := us.u
	us.oneTime = pass
	p := widget.NewLabel(pass)
	p.TextStyle = fyne.TextStyle{Monospace: true}
	p.SizeName = theme.SizeNameSubHeadingText
	copyB := u.button("Copy", theme.ContentCopyIcon(), func() { u.copySecret(pass) })
	var d dialog.Dialog
	doneB := u.button("Done: I have handed it over", theme.ConfirmIcon(), func() {
		u.clearClipboard()
		us.oneTime = ""
		us.keyFileSave = nil
		clear(keyFile) // saved on their USB stick; no copy stays in memory
		d.Hide()
	})
	doneB.Importance = widget.HighImportance
	first := "added"
	if reset {
		first = "given a new one-time passphrase"
	}
	body := container.NewVBox(
		wrapped(fmt.Sprintf("%s has been %s. Their one-time passphrase:", name, first)),
		container.NewBorder(nil, nil, nil, copyB, p),
		wrapped(fmt.Sprintf("Give it to %s in person or by phone, not by e-mail or text message. "+
			"At their next unlock they type their name, %s, and this passphrase; casevault then asks them to choose their own, "+
			"and this one stops working. It is shown only this once.", name, name)),
	)
	if keyFile != nil {
		saved := quiet("Not saved yet.")
		doneB.Disable()
		saveB := u.button("Save the key file…", theme.DocumentSaveIcon(), nil)
		saveB.OnTapped = func() {
			u.touch()
			fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
				if err != nil || w == nil {
					return
				}
				_, err = w.Write(keyFile)
				if cerr := w.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					saved.SetText("Not saved: " + err.Error())
					return
				}
				saved.SetText("Saved to " + w.URI().Path())
				doneB.Enable()
			}, u.w)
			fd.SetFileName(keyFileName(name))
			fd.Show()
		}
		body.Add(widget.NewSeparator())
		body.Add(bold("Their key file"))
		body.Add(wrapped(fmt.Sprintf("Save it on a USB stick and give the stick to %s. They choose it at every unlock (Key file…), "+
			"together with their passphrase. Keep no other copy on this laptop: with it here, it protects nothing. "+
			"If it is lost, reset their passphrase to give them a new one.", name)))
		body.Add(container.NewBorder(nil, nil, saveB, nil, saved))
		us.keyFileSave = func(w fyne.URIWriteCloser) { // tests
			_, _ = w.Write(keyFile)
			w.Close()
			saved.SetText("Saved to " + w.URI().Path())
			doneB.Enable()
		}
	}
	body.Add(container.NewHBox(layout.NewSpacer(), doneB))
	d = dialog.NewCustomWithoutButtons("One-time passphrase for "+name, container.NewStack(&widthBox{width: 520}, body), u.w)
	d.Show()
}

// keyFileName is the suggested file name of a user's key file.
func keyFileName(name string) string {
	n := strings.Map(func(r rune) rune {
		if r == ' ' || r == '/' || r == '\\' || r == ':' {
			return '-'
		}
		return r
	}, strings.ToLower(name))
	return "casevault-key-" + n + ".key"
}

func (us *usersScreen) resetPass(name string) {
	u := us.u
	cd := dialog.NewConfirm("Reset "+name+"'s passphrase",
		fmt.Sprintf("%s's passphrase stops working at once, and you get a new one-time passphrase to give them. "+
			"At their next unlock they must choose their own. Use this when they forgot theirs or lost their key file.", name),
		func(ok bool) {
			u.touch()
			if !ok {
				return
			}
			s := u.sess
			run(u, func(ctx context.Context) (string, error) { return s.ResetUserPassphrase(ctx, name) },
				func(p string, err error) {
					if us.done(name, err, "The passphrase was not reset") {
						us.showOneTime(name, p, nil, true)
					}
				})
		}, u.w)
	cd.SetConfirmText("Reset passphrase")
	cd.SetDismissText("Cancel")
	cd.Show()
}

// RemoveExplanation is what the Remove dialog says about the two choices.
const RemoveExplanation = "Remove: their passphrase no longer opens this vault, from now on.\n\n" +
	"Remove and change the vault key: choose this if they could have copied the vault folder, or a backup, " +
	"while their passphrase still worked. With such a copy, what they knew would still unlock the vault's files " +
	"if they ever got hold of them again (from this laptop or a backup drive). Changing the key re-encrypts the whole vault, " +
	"so nothing they kept opens it from now on. A copy they already made still shows what was in it on the day they made it: " +
	"nothing can change that.\n\n" +
	"Changing the key takes a while (about a minute for 10,000 clients) and the vault waits meanwhile. " +
	"Your next backup starts a new backup folder; you may also get a new recovery key to write down."

// confirmRemove asks Remove or Remove and change the vault key.
func (us *usersScreen) confirmRemove(name string) {
	u := us.u
	var d dialog.Dialog
	removeB := u.button("Remove", theme.DeleteIcon(), func() { d.Hide(); us.remove(name, false) })
	rotateB := u.button("Remove and change the vault key", theme.ViewRefreshIcon(), func() { d.Hide(); us.remove(name, true) })
	rotateB.Importance = widget.DangerImportance
	cancel := u.escCloses(u.button("Cancel", theme.CancelIcon(), func() { d.Hide() }))
	body := container.NewVBox(
		wrapped(fmt.Sprintf("Remove %s from this vault? What they did stays in the audit trail.", name)),
		wrapped(RemoveExplanation),
		container.NewHBox(cancel, layout.NewSpacer(), removeB, rotateB),
	)
	d = dialog.NewCustomWithoutButtons("Remove "+name, container.NewStack(&widthBox{width: 560}, body), u.w)
	d.Show()
}

// remove removes name; rotate: and changes the vault key, with a progress
// dialog (elapsed time, from a ticker through fyne.Do) and then the new
// recovery key when one was made.
func (us *usersScreen) remove(name string, rotate bool) {
	u, s := us.u, us.u.sess
	var prog dialog.Dialog
	stop := make(chan struct{})
	if rotate {
		us.rotating = true
		elapsed := quiet("")
		bar := widget.NewProgressBarInfinite()
		prog = dialog.NewCustomWithoutButtons("Changing the vault key", container.NewStack(&widthBox{width: 460}, container.NewVBox(
			wrapped(fmt.Sprintf("Removing %s and re-encrypting the whole vault with a new key. Keep this window open; "+
				"if the computer stops meanwhile, the vault opens as it was before or as it is after, never half-done.", name)),
			bar, elapsed)), u.w)
		prog.Show()
		start := time.Now()
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					d := time.Since(start).Round(time.Second)
					u.post(func() { elapsed.SetText(human.Duration(d) + " so far") })
				}
			}
		}()
	}
	run(u, func(ctx context.Context) (*app.RotationReport, error) { return s.RemoveUser(ctx, name, rotate) },
		func(r *app.RotationReport, err error) {
			close(stop)
			us.rotating = false
			if prog != nil {
				prog.Hide()
			}
			what := "was not removed"
			if rotate {
				what = "was not removed and the key not changed"
			}
			var kn *app.KeyNotChangedError
			if errors.As(err, &kn) { // removed; only the key change failed: Message says both
				setMsg(us.msg, app.Message(err))
				us.reload(name)
				return
			}
			if !us.done("", err, name+" "+what) {
				return
			}
			switch {
			case rotate && r != nil && r.NewRecoveryKey != "":
				us.showNewRecoveryKey(name, r)
			case rotate:
				took := ""
				if r != nil && r.Took > 0 {
					took = " It took " + human.Duration(r.Took) + "."
				}
				dialog.ShowInformation("Vault key changed", name+" was removed and the vault re-encrypted with a new key: "+
					"nothing they kept opens it from now on. Your recovery key still works."+took, u.w)
			default:
				dialog.ShowInformation("User removed", name+"'s passphrase no longer opens this vault.", u.w)
			}
		})
}

// showNewRecoveryKey shows the recovery key a key change made (the old one
// no longer opens the vault) and asks to confirm it was written down.
func (us *usersScreen) showNewRecoveryKey(name string, r *app.RotationReport) {
	u := us.u
	key := string(r.NewRecoveryKey)
	us.newKey = key
	k := widget.NewLabel(key)
	k.TextStyle = fyne.TextStyle{Monospace: true}
	k.SizeName = theme.SizeNameSubHeadingText
	copyB := u.button("Copy", theme.ContentCopyIcon(), func() { u.copySecret(key) })
	var d dialog.Dialog
	doneB := u.button("Done", theme.ConfirmIcon(), func() {
		u.clearClipboard()
		us.newKey = ""
		d.Hide()
	})
	doneB.Importance = widget.HighImportance
	doneB.Disable()
	written := widget.NewCheck("I have written the new recovery key down and put it in the safe place", func(on bool) {
		u.touch()
		if on {
			doneB.Enable()
		} else {
			doneB.Disable()
		}
	})
	took := ""
	if r.Took > 0 {
		took = " (it took " + human.Duration(r.Took) + ")"
	}
	body := container.NewVBox(
		wrapped(fmt.Sprintf("%s was removed and the vault re-encrypted with a new key%s. Your old recovery key could not move "+
			"to the new key, so here is a new one. The old one no longer opens this vault: destroy the paper.", name, took)),
		container.NewBorder(nil, nil, nil, copyB, k),
		wrapped("Write it on paper now and keep it away from this laptop. It is shown only this once."),
		written,
		container.NewHBox(layout.NewSpacer(), doneB),
	)
	d = dialog.NewCustomWithoutButtons("Your new recovery key", container.NewStack(&widthBox{width: 560}, body), u.w)
	d.Show()
}

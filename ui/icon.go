package ui

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

// AppID is casevault's application ID, in reverse-DNS form as desktops and
// Fyne want it. The desktop entry is named after it
// (packaging/io.github.casevault.CaseVault.desktop) and so are the
// installed icons. Fyne keeps its own small preferences file under it
// (~/.config/fyne/AppID/preferences.json: the last folder a file chooser
// showed); the vault's place does not depend on it (app.DefaultDir).
// Changing it would leave that file behind and rename the desktop entry:
// keep it.
const AppID = "io.github.casevault.CaseVault"

// iconPNG is packaging/icons/casevault-256.png, drawn from
// packaging/icons/casevault.svg by packaging/icons/render.go.
//
//go:embed icon.png
var iconPNG []byte

// AppIcon is casevault's icon (a case folder closed by a padlock): the
// window's and the application's icon.
var AppIcon = fyne.NewStaticResource("casevault.png", iconPNG)

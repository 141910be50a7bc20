// Package all registers every category profile with engine/category. The
// engine imports it once; adding a category is adding its profile package
// and one line here.
package all

import (
	"tracecode/engine/category"
	"tracecode/engine/category/cylinder"
	"tracecode/engine/category/drug"
	"tracecode/engine/category/elevator"
	"tracecode/engine/category/farm"
	"tracecode/engine/category/feed"
	"tracecode/engine/category/fertiliser"
	"tracecode/engine/category/fireworks"
	"tracecode/engine/category/food"
	"tracecode/engine/category/hazchem"
	"tracecode/engine/category/meat"
	"tracecode/engine/category/pesticide"
	"tracecode/engine/category/rareearth"
	"tracecode/engine/category/seed"
	"tracecode/engine/category/vetdrug"
)

func init() {
	for _, p := range []category.Profile{
		cylinder.New(), elevator.New(elevator.Config{}), hazchem.New(), fireworks.New(),
		pesticide.New(), vetdrug.New(), farm.New(), meat.New(), drug.New(), rareearth.New(rareearth.Config{}),
		food.Dairy(food.Limits{}), food.Oil(food.Limits{}), food.Liquor(food.Limits{}),
		feed.New(), fertiliser.New(), seed.New(),
	} {
		category.Register(p)
	}
}

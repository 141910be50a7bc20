package engine

import (
	"tracecode/engine/model"
	"tracecode/engine/serial"
)

// The domain types, defined in package model (package store encodes them).
type (
	Org          = model.Org
	Product      = model.Product
	ProductState = model.ProductState
	Lot          = model.Lot
	Block        = model.Block
	Link         = model.Link
	Category     = model.Category
	Level        = model.Level
	LevelSet     = model.LevelSet
	BlockState   = model.BlockState
	Scheme       = serial.Scheme
)

// Packaging levels (see model.Level).
const (
	LevelItem   = model.LevelItem
	LevelInner  = model.LevelInner
	LevelCase   = model.LevelCase
	LevelPallet = model.LevelPallet
)

// Block states (see model.BlockState).
const (
	BlockActive    = model.BlockActive
	BlockImporting = model.BlockImporting
	BlockVoided    = model.BlockVoided
)

// Schemes (see package serial).
const (
	SchemeGS1      = serial.GS1
	SchemeSGTIN96  = serial.SGTIN96
	SchemeNMPA     = serial.NMPA
	SchemeShort    = serial.Short
	SchemeImported = serial.Imported
)

// CategoryNames lists the category names; ParseCategory, ParseLevel and
// ParseScheme read the command-line names.
var (
	CategoryNames = model.CategoryNames
	ParseCategory = model.ParseCategory
	ParseLevel    = model.ParseLevel
	ParseScheme   = serial.ParseScheme
)

// CodeState is the state of one code as Lookup reports it (see
// model.CodeState).
type CodeState = model.CodeState

// The code states.
const (
	StateIssued   = model.StateIssued
	StateReleased = model.StateReleased
	StateVoided   = model.StateVoided
)

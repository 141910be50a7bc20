//go:build amd64 && !purego

#include "textflag.h"

// AES encryption with AES-NI on round keys laid out by expandKey: round key
// r at xk + 16r. nr is 10, 12 or 14. A block is two little-endian uint64
// lanes (aes.go), i.e. the block's bytes in memory order.

// func encBlockAsm(xk *byte, nr int, w0, w1 uint64) (r0, r1 uint64)
TEXT ·encBlockAsm(SB), NOSPLIT, $0-48
	MOVQ   xk+0(FP), AX
	MOVQ   nr+8(FP), CX
	MOVQ   w0+16(FP), X0
	PINSRQ $1, w1+24(FP), X0
	MOVOU  0(AX), X1
	PXOR   X1, X0
	ADDQ   $16, AX
	CMPQ   CX, $12
	JB     enc128
	JE     enc192
	MOVOU  0(AX), X1
	AESENC X1, X0
	MOVOU  16(AX), X1
	AESENC X1, X0
	ADDQ   $32, AX

enc192:
	MOVOU  0(AX), X1
	AESENC X1, X0
	MOVOU  16(AX), X1
	AESENC X1, X0
	ADDQ   $32, AX

enc128:
	MOVOU      0(AX), X1
	AESENC     X1, X0
	MOVOU      16(AX), X1
	AESENC     X1, X0
	MOVOU      32(AX), X1
	AESENC     X1, X0
	MOVOU      48(AX), X1
	AESENC     X1, X0
	MOVOU      64(AX), X1
	AESENC     X1, X0
	MOVOU      80(AX), X1
	AESENC     X1, X0
	MOVOU      96(AX), X1
	AESENC     X1, X0
	MOVOU      112(AX), X1
	AESENC     X1, X0
	MOVOU      128(AX), X1
	AESENC     X1, X0
	MOVOU      144(AX), X1
	AESENCLAST X1, X0
	MOVQ       X0, r0+32(FP)
	PEXTRQ     $1, X0, r1+40(FP)
	RET

// ROUND8 applies one middle AES round with the key at off(AX) to X0–X7.
#define ROUND8(off) \
	MOVOU  off(AX), X8 \
	AESENC X8, X0      \
	AESENC X8, X1      \
	AESENC X8, X2      \
	AESENC X8, X3      \
	AESENC X8, X4      \
	AESENC X8, X5      \
	AESENC X8, X6      \
	AESENC X8, X7

// func enc8Asm(xk *byte, nr int, blocks *[8][2]uint64)
TEXT ·enc8Asm(SB), NOSPLIT, $0-24
	MOVQ  xk+0(FP), AX
	MOVQ  nr+8(FP), CX
	MOVQ  blocks+16(FP), DX
	MOVOU 0(AX), X8
	MOVOU 0(DX), X0
	MOVOU 16(DX), X1
	MOVOU 32(DX), X2
	MOVOU 48(DX), X3
	MOVOU 64(DX), X4
	MOVOU 80(DX), X5
	MOVOU 96(DX), X6
	MOVOU 112(DX), X7
	PXOR  X8, X0
	PXOR  X8, X1
	PXOR  X8, X2
	PXOR  X8, X3
	PXOR  X8, X4
	PXOR  X8, X5
	PXOR  X8, X6
	PXOR  X8, X7
	ADDQ  $16, AX
	CMPQ  CX, $12
	JB    enc8_128
	JE    enc8_192
	ROUND8(0)
	ROUND8(16)
	ADDQ  $32, AX

enc8_192:
	ROUND8(0)
	ROUND8(16)
	ADDQ $32, AX

enc8_128:
	ROUND8(0)
	ROUND8(16)
	ROUND8(32)
	ROUND8(48)
	ROUND8(64)
	ROUND8(80)
	ROUND8(96)
	ROUND8(112)
	ROUND8(128)
	MOVOU      144(AX), X8
	AESENCLAST X8, X0
	AESENCLAST X8, X1
	AESENCLAST X8, X2
	AESENCLAST X8, X3
	AESENCLAST X8, X4
	AESENCLAST X8, X5
	AESENCLAST X8, X6
	AESENCLAST X8, X7
	MOVOU      X0, 0(DX)
	MOVOU      X1, 16(DX)
	MOVOU      X2, 32(DX)
	MOVOU      X3, 48(DX)
	MOVOU      X4, 64(DX)
	MOVOU      X5, 80(DX)
	MOVOU      X6, 96(DX)
	MOVOU      X7, 112(DX)
	RET

// func subWordAsm(w uint32) uint32
TEXT ·subWordAsm(SB), NOSPLIT, $0-12
	MOVL       w+0(FP), AX
	MOVL       AX, X0
	PSHUFD     $0, X0, X0
	PXOR       X1, X1
	AESENCLAST X1, X0
	MOVL       X0, AX
	MOVL       AX, ret+8(FP)
	RET

/*
 * ptsim-exit0: the program run by the `exec` child op of ptrace-harness.
 * Its only instruction path is exit_group(0), so a traced execve shows
 * exactly one syscall (231) after the exec.  Built with -nostdlib -static
 * -no-pie: no dynamic loader, no libc start-up code.
 */
	.text
	.globl	_start
_start:
	mov	$231, %eax	/* exit_group */
	xor	%edi, %edi	/* status 0 */
	syscall
	hlt			/* not reached */

	.section .note.GNU-stack,"",@progbits

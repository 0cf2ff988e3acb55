package publish

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the folders a and b in one step, renameat2(2) with
// RENAME_EXCHANGE (Linux 3.15; ext4, xfs, btrfs, tmpfs and most others).
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return errNoExchange // an old kernel, or a file system without it
	}
	return err
}

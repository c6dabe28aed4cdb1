#ifndef CPADDOCK_NAMESPACE_H
#define CPADDOCK_NAMESPACE_H

/* Swift's Glibc module exports neither setns(2) and unshare(2) (they need _GNU_SOURCE) nor
 * fstatfs(2); these one-line wrappers are the only reason this target exists. */
int paddock_setns(int fd, int nstype);
int paddock_unshare(int flags);
/* The filesystem magic of fd (f_type of fstatfs), or -1 with errno set. */
long paddock_fs_type(int fd);

#endif

package anscache

// Waiting is how many callers wait for a computation.
func (c *Cache) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.waiting
}

/** One page of a listing, as every list endpoint returns it. */
export interface Page<T> {
  items: T[];
  meta: { total: number; page: number; page_size: number; total_pages: number };
}

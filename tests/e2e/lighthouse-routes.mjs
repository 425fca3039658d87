// The pages every gate visits besides the chapters: one embed per widget.
export const EMBEDS = ["json-inspector", "btree-index", "retry-backoff", "dns-lookup", "transaction-rollback"].map((id) => `/embed/${id}/`);

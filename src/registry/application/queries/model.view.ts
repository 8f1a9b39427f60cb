/** What queries return about a model: the registry's part (lifecycle adds its own). */
export interface ModelView {
  model_id: string;
  task_type: string;
  display_name: string | null;
  description: string | null;
  latest_version: string;
  versions: Array<{ version: string; checksum: string | null; source_url: string | null; added_at: string }>;
  resource_requirements: Record<string, unknown>;
  config: Record<string, unknown>;
  registered_at: string;
  updated_at: string;
}

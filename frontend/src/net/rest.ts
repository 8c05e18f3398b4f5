// The few REST calls the pages make (docs/api.md): list and create documents.
export interface DocumentInfo {
  id: string;
  revision: number;
  length: number;
  created_ms: number;
  updated_ms: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "content-type": "application/json" };
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (!response.ok) {
    const error = (json ?? {}) as { code?: string; message?: string };
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? `${response.status} ${response.statusText}`);
  }
  return json as T;
}

export async function listDocuments(): Promise<DocumentInfo[]> {
  const body = await request<{ documents: DocumentInfo[] }>("GET", "/api/docs");
  return body.documents;
}

export async function createDocument(id: string, text?: string): Promise<void> {
  await request("POST", "/api/docs", text === undefined ? { id } : { id, text });
}

/** 1–128 characters of [A-Za-z0-9._-] (docs/protocol.md, invalid_doc_id). */
export const DOC_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;

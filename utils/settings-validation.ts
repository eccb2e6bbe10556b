/** A range API base URL: absolute http(s), no credentials, query or fragment. */
export function isEndpointUrl(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      !url.username &&
      !url.password &&
      !url.search &&
      !url.hash
    );
  } catch {
    return false;
  }
}

/** A ristretto255 public key: 32 bytes as unpadded base64url, i.e. 43 characters. */
export function isPublicKeyText(text: string): boolean {
  return /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(text.trim());
}

export function ScamPanel() {
  return <p>ScamPanel</p>;
}

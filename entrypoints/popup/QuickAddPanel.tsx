export function QuickAddPanel() {
  return <p>QuickAddPanel</p>;
}

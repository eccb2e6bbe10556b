export function ExposurePanel() {
  return <p>ExposurePanel</p>;
}

import { useDocumentTitle } from '@mantine/hooks';
import { NoticePage } from '../components/notice-page.js';

export function NotFoundPage() {
  useDocumentTitle('Page not found · Latchkey');
  return (
    <NoticePage title="Page not found" linkTo="/" linkLabel="Go to the home page">
      There is no page at this address. It may have moved, or the link may be mistyped.
    </NoticePage>
  );
}

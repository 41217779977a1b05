// Only imported dynamically (app.tsx): Mantine's notification container, out of the first load.
export { Notifications } from '@mantine/notifications';
